"""Command-line tools: `flask --app commentsvc <group> <command>`."""

import json
import logging
import os
import re
import secrets
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .config import Settings
from .errors import DomainError
from .extensions import db
from .models import Role, Scope
from .policy import dry_run
from .services import accounts, demo, discussion, exporting, importing, maintenance, policy_check
from .transfer import UnreadableFile
from .transfer.formats import FORMATS

moderators_cli = AppGroup("moderators", help="Manage the people who moderate.")
keys_cli = AppGroup("api-keys", help="Manage API keys for other services.")
comments_cli = AppGroup("comments", help="Maintain stored comments.")
instance_cli = AppGroup("instance", help="Prepare the instance folder.")
demo_cli = AppGroup("demo", help="Demo data for `make run`.")
policy_cli = AppGroup("policy", help="Try the submission policy on past comments.")


def register(app) -> None:
    for group in (moderators_cli, keys_cli, comments_cli, instance_cli, demo_cli, policy_cli):
        app.cli.add_command(group)
    app.cli.add_command(worker_command)
    app.cli.add_command(import_command)
    app.cli.add_command(export_command)


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (for cron, tests).")
@with_appcontext
def worker_command(once: bool) -> None:
    """Deliver the outbox (mails, webhooks) and run periodic jobs until stopped."""
    from . import worker

    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    stats = worker.run(current_app._get_current_object(), once=once, handle_signals=True)
    if once:
        click.echo(f"Delivered {stats.delivered}; {stats.failed_attempts} attempts failed.")


def _fail(exc: DomainError):
    detail = "; ".join(m for msgs in exc.fields.values() for m in msgs)
    raise click.ClickException(detail or exc.message)


@moderators_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.moderator.value)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_moderator(email: str, role: str, password: str) -> None:
    """Add a moderator (asks for the password unless --password is given)."""
    try:
        moderator = accounts.create_moderator(db.session, email, password, Role(role))
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Created {moderator.role.value} {moderator.email}.")


@moderators_cli.command("list")
def list_moderators() -> None:
    """Show every moderator with their role and whether they are active."""
    for m in accounts.list_moderators(db.session):
        state = "active" if m.is_active else "deactivated"
        click.echo(f"{m.id}\t{m.email}\t{m.role.value}\t{state}")


@moderators_cli.command("set-password")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def set_password(email: str, password: str) -> None:
    """Replace a moderator's password."""
    try:
        accounts.set_password(db.session, email, password)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Password changed for {email}.")


@keys_cli.command("create")
@click.argument("name")
@click.option("--scope", type=click.Choice([s.value for s in Scope]), required=True)
def create_key(name: str, scope: str) -> None:
    """Create a key; its secret is printed once, alone on the last line."""
    key, secret = accounts.create_api_key(db.session, name, Scope(scope))
    click.echo(f"Created API key {key.id} ({key.name}, scope {key.scope.value}).")
    click.echo("Store it now; it is not shown again:")
    click.echo(secret)


@keys_cli.command("list")
def list_keys() -> None:
    """Show every key: id, prefix, name, scope, last use, and whether it is revoked."""
    for k in accounts.list_api_keys(db.session):
        used = k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "never used"
        state = "revoked" if k.revoked_at else "live"
        click.echo(f"{k.id}\t{k.prefix}…\t{k.name}\t{k.scope.value}\t{used}\t{state}")


@keys_cli.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Revoke a key by its id (see `api-keys list`)."""
    try:
        key = accounts.revoke_api_key(db.session, key_id)
    except DomainError as exc:
        _fail(exc)
    click.echo(f"Revoked API key {key.id} ({key.name}).")


@comments_cli.command("rerender")
def rerender() -> None:
    """Re-sanitise every comment's stored text with the current allowlist."""
    checked, changed = maintenance.rerender_all(db.session)
    click.echo(f"Re-rendered {checked} comments; {changed} changed.")


@instance_cli.command("init")
def instance_init() -> None:
    """Write instance/config.py with a random SECRET_KEY, unless it exists."""
    path = Path(current_app.instance_path) / "config.py"
    if path.exists():
        click.echo(f"Keeping {path}.")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
    click.echo(f"Wrote {path} with a new random SECRET_KEY.")


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo article, comments, moderator and API key once; print how to sign in."""
    path = Path(current_app.instance_path) / "demo-credentials.json"
    saved = json.loads(path.read_text()) if path.exists() else None
    credentials = demo.seed(db.session, saved)
    if credentials != saved:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(credentials, handle, indent=2)
    # `make run` binds a second address: the demo page is served there, as another origin.
    binds = os.environ.get("COMMENTSVC_BIND", "127.0.0.1:8000").split(",")
    click.echo(
        "\n".join(
            [
                "",
                "commentsvc demo",
                f"  Service:         http://{binds[0]}/",
                f"  Demo page:       http://{binds[-1]}/demo/",
                f"  Demo article:    {credentials['article_id']}",
                f"  Moderator login: {credentials['email']} / "
                + (credentials["password"] or "(the password you set with set-password)"),
                f"  API key:         {credentials['api_key']}",
                "  Mail:            "
                + (
                    f"SMTP {current_app.config['MAIL_SERVER']}"
                    if current_app.config["MAIL_SERVER"]
                    else f"written to {Path(current_app.instance_path) / 'mail'}/*.eml"
                ),
                f"  (saved in {path})",
                "",
            ]
        )
    )


_SPAN = re.compile(r"(\d+)\s*([hdw])")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """ "30d", "12h", "2w" back from now, or a date such as 2026-10-01 (UTC midnight).

    :raise click.BadParameter: anything else.
    """
    now = now or datetime.now(UTC)
    span = _SPAN.fullmatch(value.strip().lower())
    if span:
        return now - timedelta(**{_UNITS[span[2]]: int(span[1])})
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter("use 30d, 12h, 2w or a date like 2026-10-01") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


@policy_cli.command("check")
@click.option("--since", default="30d", show_default=True, help="30d, 12h, 2w or a date.")
def policy_check_command(since: str) -> None:
    """Run the settings in force over past comments; compare with what moderators decided."""
    start = parse_since(since)
    settings = discussion.effective(db.session, Settings.from_config(current_app.config))
    report = policy_check.run(db.session, settings, start)
    click.echo(
        f"Policy check: {report.total} comments since {start:%Y-%m-%d %H:%M} UTC, "
        f"with the settings in force (moderation: {settings.moderation}, "
        f"link limit {settings.max_links}, {len(settings.moderation_words)} moderation and "
        f"{len(settings.disallowed_words)} disallowed words).\n"
        "Rows: what the policy would decide now; columns: each comment's status now.\n"
    )
    click.echo(dry_run.table(report))


@click.command("import")
@click.argument("format_name", metavar="FORMAT")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Read and count everything; write nothing.")
@click.option(
    "--article-id",
    "article_id_from",
    type=click.Choice(importing.ARTICLE_ID_FROM),
    help="What the article id is made of (default: the permalink's path; json: as exported).",
)
@click.option("--skip-pings", is_flag=True, help="Leave out pingbacks and trackbacks.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True)
@with_appcontext
def import_command(format_name, file, dry_run, article_id_from, skip_pings, batch_size) -> None:
    """Import comments from FILE: FORMAT is wordpress, disqus, isso or json.

    The file is read through once first, so a broken or hostile one writes nothing.
    Then one transaction per batch: a rerun after an interruption resumes, and a second
    import of the same file changes nothing.
    """
    found = FORMATS.get(format_name)
    if found is None:
        raise click.ClickException(
            f"unknown format {format_name!r}; use one of: {', '.join(sorted(FORMATS))}"
        )
    options = {"skip_pings": skip_pings} if "skip_pings" in found.options else {}
    if skip_pings and not options:
        raise click.ClickException(f"--skip-pings applies to wordpress only, not {format_name}")
    try:
        total = sum(1 for _ in found.parse(file, **options))  # a bad file fails here
        click.echo(
            f"{file}: {total} records; importing{' (dry run)' if dry_run else ''}.", err=True
        )
        with click.progressbar(
            found.parse(file, **options), length=total, label="Importing", file=sys.stderr
        ) as records:
            summary = importing.import_records(
                db.session,
                records,
                source=found.source,
                article_id_from=article_id_from or found.article_id_from,
                dry_run=dry_run,
                batch_size=batch_size,
                thread_depth=int(current_app.config["THREAD_DEPTH"]),
            )
    except UnreadableFile as exc:
        raise click.ClickException(f"{file}: {exc}. Nothing was imported.") from None
    except SQLAlchemyError as exc:
        raise click.ClickException(
            f"the database failed ({type(exc).__name__}); the batches committed so far are "
            "kept, and running the same import again resumes without duplicates"
        ) from None
    click.echo(summary_table(summary))


def summary_table(summary: importing.Summary) -> str:
    rows = summary.rows()
    width = max(len(label) for label, _ in rows)
    title = "Dry run: nothing was written" if summary.dry_run else "Imported"
    lines = [title, "-" * (width + 10)]
    lines += [f"{label:<{width}}  {count:>8}" for label, count in rows]
    return "\n".join(lines)


@click.command("export")
@click.option(
    "--article-id", "article_ids", multiple=True, help="Only this article (may be repeated)."
)
@with_appcontext
def export_command(article_ids) -> None:
    """Write every article, comment and audit event as JSON Lines to standard output."""
    for line in exporting.export_lines(db.session, article_ids or None):
        click.echo(line, nl=False)
