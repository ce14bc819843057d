"""Command-line tools: `flask --app commentsvc <group> <command>`."""

import json
import logging
import os
import re
import secrets
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from marshmallow import ValidationError

from .config import Settings
from .errors import DomainError
from .extensions import db
from .models import Role, Scope
from .policy import dry_run
from .schemas import PrivacyQuery
from .services import Actor, accounts, demo, discussion, maintenance, policy_check, privacy

moderators_cli = AppGroup("moderators", help="Manage the people who moderate.")
keys_cli = AppGroup("api-keys", help="Manage API keys for other services.")
comments_cli = AppGroup("comments", help="Maintain stored comments.")
instance_cli = AppGroup("instance", help="Prepare the instance folder.")
demo_cli = AppGroup("demo", help="Demo data for `make run`.")
policy_cli = AppGroup("policy", help="Try the submission policy on past comments.")
privacy_cli = AppGroup("privacy", help="Answer a reader's request: export or erase their data.")


def register(app) -> None:
    groups = (moderators_cli, keys_cli, comments_cli, instance_cli, demo_cli, policy_cli)
    for group in (*groups, privacy_cli):
        app.cli.add_command(group)
    app.cli.add_command(worker_command)
    app.cli.add_command(purge_command)


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


# ---- privacy -------------------------------------------------------------------------


def _address(email: str) -> str:
    """:raise click.BadParameter: not a valid email address."""
    try:
        return PrivacyQuery().load({"email": email})["email"]
    except ValidationError as exc:
        raise click.BadParameter(" ".join(exc.messages["email"]), param_hint="EMAIL") from None


@privacy_cli.command("export")
@click.argument("email")
def privacy_export(email: str) -> None:
    """Print everything stored about EMAIL as JSON (empty lists for an unknown address)."""
    data = privacy.export_address(db.session, _address(email))
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--remove", is_flag=True, help="Erase the comments instead of anonymising them.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(email: str, remove: bool, yes: bool) -> None:
    """Anonymise EMAIL's comments (or --remove them) and clear the address everywhere."""
    email = _address(email)
    mode = "remove" if remove else "anonymise"
    found = privacy.count(db.session, email)
    if not yes:
        noun = "comment" if found == 1 else "comments"
        what = "Remove" if remove else "Anonymise (keeping the text of)"
        click.confirm(
            f"{what} {found} {noun} by {email}, and clear the address from subscriptions "
            "and waiting mail?",
            abort=True,
        )
    result = privacy.erase_address(db.session, email, mode=mode, actor=Actor())
    done = "removed" if remove else "anonymised"
    click.echo(f"{result.count} comments {done}; the address was cleared everywhere else.")
    if result.batch_id:
        click.echo(f"Decision {result.batch_id} is in the activity log (it names no address).")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Clear the IP address and User-Agent of comments older than COMMENTSVC_IP_RETENTION_DAYS."""
    days = int(current_app.config["IP_RETENTION_DAYS"])
    cleared = privacy.purge_client_data(db.session, days=days)
    if days <= 0:
        click.echo("COMMENTSVC_IP_RETENTION_DAYS is 0: IP addresses and User-Agents are kept.")
        return
    click.echo(
        f"Cleared the IP address and User-Agent of {cleared} comments older than {days} days."
    )
