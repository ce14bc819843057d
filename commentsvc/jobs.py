"""Periodic jobs the worker runs: the moderators' daily digest, pruning the outbox,
clearing old IP addresses and User-Agents.

Add a job with `register(Job(name, run, next_after))`: `run(session, config)` does the
work (committing itself) and returns a line for the log; `next_after(moment, config)`
says when it is due next (`daily("SETTING")` or `daily(hour=3)` for once a day).
Each job's next run is a row in `scheduled_jobs`; a worker runs a due job only if its
conditional UPDATE of that row wins, so with several workers each run happens once.
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from .models import ScheduledJob, utcnow
from .services import begin_write, fanout, outbox, privacy

log = logging.getLogger("commentsvc.worker")
RETRY_FAILED_JOB = timedelta(minutes=15)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[..., str]
    next_after: Callable[[datetime, Mapping], datetime]


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    JOBS[job.name] = job
    return job


def daily(setting: str | None = None, hour: int = 0) -> Callable[[datetime, Mapping], datetime]:
    """Due every day at `hour` UTC, or at the hour the `setting` names."""

    def next_after(moment: datetime, config: Mapping) -> datetime:
        at = int(config[setting]) if setting else hour
        candidate = datetime.combine(moment.date(), time(at), moment.tzinfo)
        return candidate if candidate > moment else candidate + timedelta(days=1)

    return next_after


def _digest(session, config) -> str:
    return f"{fanout.send_digests(session)} digest mails queued"


def _prune(session, config) -> str:
    return f"{outbox.prune(session, int(config['OUTBOX_KEEP_DAYS']))} settled outbox rows deleted"


def _purge(session, config) -> str:
    days = int(config["IP_RETENTION_DAYS"])
    cleared = privacy.purge_client_data(session, days=days)
    return f"IP addresses and User-Agents cleared from {cleared} comments older than {days} days"


register(Job("digest", _digest, daily("DIGEST_HOUR")))
register(Job("client-data-purge", _purge, daily(hour=3)))
register(Job("outbox-prune", _prune, daily(hour=4)))


def run_due(session, config: Mapping, now: datetime | None = None) -> list[str]:
    """Run every job that is due and that this worker wins; return their names."""
    ran = []
    for job in list(JOBS.values()):
        moment = now or utcnow()
        if not _claim(session, job, config, moment):
            continue
        try:
            line = job.run(session, config)
        except Exception as exc:
            session.rollback()
            log.exception("Job %s failed; it runs again in %s", job.name, RETRY_FAILED_JOB)
            _settle(session, job.name, moment + RETRY_FAILED_JOB, f"{type(exc).__name__}: {exc}")
        else:
            log.info("Job %s: %s", job.name, line)
            _settle(session, job.name, None, None)
        ran.append(job.name)
    return ran


def _claim(session, job: Job, config: Mapping, now: datetime) -> bool:
    begin_write(session)
    row = session.get(ScheduledJob, job.name)
    if row is None:
        # First sight of the job: schedule it, run it when it comes due.
        try:
            session.add(ScheduledJob(name=job.name, next_run_at=job.next_after(now, config)))
            session.commit()
        except IntegrityError:
            session.rollback()
        return False
    won = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == job.name, ScheduledJob.next_run_at <= now)
        .values(next_run_at=job.next_after(now, config), last_started_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return won == 1


def _settle(session, name: str, retry_at: datetime | None, error: str | None) -> None:
    begin_write(session)
    values = {"last_finished_at": utcnow(), "last_error": error and error[:500]}
    if retry_at is not None:
        values["next_run_at"] = retry_at
    session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
