"""Sending a built message: over SMTP, or into instance/mail/ when no server is set.

The settings carry Flask-Mail's names (`COMMENTSVC_MAIL_SERVER`, `_PORT`, `_USE_TLS`,
`_USE_SSL`, `_USERNAME`, `_PASSWORD`, `_DEFAULT_SENDER`); the standard library sends.
"""

import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from . import Result

log = logging.getLogger("commentsvc.mail")


@dataclass(frozen=True)
class MailSettings:
    server: str | None
    port: int
    use_tls: bool
    use_ssl: bool
    username: str | None
    password: str | None
    timeout: float
    folder: Path  # where messages go when there is no server

    @classmethod
    def from_config(cls, config, instance_path: str) -> "MailSettings":
        return cls(
            server=config["MAIL_SERVER"] or None,
            port=int(config["MAIL_PORT"]),
            use_tls=bool(config["MAIL_USE_TLS"]),
            use_ssl=bool(config["MAIL_USE_SSL"]),
            username=config["MAIL_USERNAME"] or None,
            password=config["MAIL_PASSWORD"] or None,
            timeout=float(config["MAIL_TIMEOUT"]),
            folder=Path(instance_path) / "mail",
        )


def send(message: EmailMessage, settings: MailSettings, delivery_id: str) -> Result:
    """Hand the message over; a refusal or an unreachable server is a failure to retry."""
    if not settings.server:
        return _write(message, settings.folder, delivery_id)
    try:
        _smtp(message, settings)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = f"recipient refused: {exc.recipients}"[:500]
        return Result(False, detail, codes[0] if codes else None, permanent=min(codes) >= 500)
    except smtplib.SMTPResponseException as exc:
        return Result(False, f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"[:500], exc.smtp_code)
    except (OSError, smtplib.SMTPException) as exc:
        return Result(False, f"{type(exc).__name__}: {exc}"[:500])
    return Result(True, f"accepted by {settings.server}:{settings.port}")


def _smtp(message: EmailMessage, settings: MailSettings) -> None:
    if settings.use_ssl:
        smtp = smtplib.SMTP_SSL(
            settings.server,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.server, settings.port, timeout=settings.timeout)
    with smtp:
        if settings.use_tls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(message)


def _write(message: EmailMessage, folder: Path, delivery_id: str) -> Result:
    # Named by the delivery id: a retry rewrites the same file rather than adding one.
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{delivery_id}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(message))
    os.replace(temporary, path)
    log.info("Mail to %s written to %s: %s", message["To"], path, message["Subject"])
    return Result(True, f"written to {path}")
