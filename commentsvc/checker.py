"""The external spam checker: Akismet's REST protocol, so Akismet or any compatible service.

A small interface with one implementation. `check` never raises: whatever goes wrong
(refused connection, timeout, an answer that is neither "true" nor "false") comes back
as an "error" answer, which the policy turns into a hold. `report` tells the service
what moderators decided (submit-spam, submit-ham); it raises, and the worker retries
(decisions reach it through the outbox, never from inside a request).

`check` is called before the write transaction opens, never inside it: a slow checker
must not hold SQLite's write lock or a PostgreSQL transaction open.
"""

import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .config import Settings
from .policy import CheckAnswer

log = logging.getLogger(__name__)
USER_AGENT = "commentsvc/0.1 | Akismet-compatible client"
THANKS = "Thanks for making the web a better place."


@dataclass(frozen=True)
class Message:
    """A comment as the checker sees it (Akismet's parameter names, minus the key and blog)."""

    user_ip: str
    user_agent: str
    comment_author: str
    comment_author_email: str
    comment_author_url: str
    comment_content: str
    permalink: str = ""
    comment_date_gmt: str = ""
    comment_type: str = "comment"

    @classmethod
    def of(cls, *, ip, user_agent, name, email, url, body, permalink=None, when=None):
        return cls(
            user_ip=ip or "",
            user_agent=user_agent or "",
            comment_author=name or "",
            comment_author_email=email or "",
            comment_author_url=url or "",
            comment_content=body or "",
            permalink=permalink or "",
            comment_date_gmt=when.isoformat() if isinstance(when, datetime) else "",
        )


class Checker(Protocol):
    name: str

    def check(self, message: Message) -> CheckAnswer: ...

    def report(self, kind: str, message: Message) -> None: ...


class CheckerError(Exception):
    """The checker did not answer as the protocol says."""


@dataclass(frozen=True)
class Akismet:
    url: str  # e.g. https://rest.akismet.com
    key: str
    site: str  # Akismet's `blog`: the site's home page
    timeout: float = 3.0
    name: str = "Akismet"

    def _post(self, method: str, message: Message) -> tuple[str, dict]:
        blog = self.site or message.permalink
        fields = {"api_key": self.key, "blog": blog, "blog_charset": "UTF-8"}
        fields.update({k: v for k, v in vars(message).items() if v})
        request = urllib.request.Request(  # noqa: S310 - the operator's http(s) address
            f"{self.url}/1.1/{method}",
            data=urllib.parse.urlencode(fields).encode(),
            headers={"User-Agent": USER_AGENT},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return response.read(2048).decode("utf-8", "replace").strip(), response.headers
        except TimeoutError as exc:
            raise CheckerError(f"no answer within {self.timeout:g} s") from exc
        except urllib.error.HTTPError as exc:
            raise CheckerError(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise CheckerError(f"no answer within {self.timeout:g} s") from exc
            raise CheckerError(f"could not connect ({reason})") from exc

    def check(self, message: Message) -> CheckAnswer:
        try:
            body, headers = self._post("comment-check", message)
        except CheckerError as exc:
            return CheckAnswer("error", str(exc), self.name)
        if body == "true":
            blatant = headers.get("X-akismet-pro-tip") == "discard"
            return CheckAnswer("spam", "blatant" if blatant else "", self.name)
        if body == "false":
            return CheckAnswer("ham", "", self.name)
        detail = f"unexpected answer {body[:60]!r}"
        help_text = headers.get("X-akismet-debug-help") or headers.get("X-akismet-alert-msg")
        return CheckAnswer("error", f"{detail} ({help_text})" if help_text else detail, self.name)

    def report(self, kind: str, message: Message) -> None:
        """Send submit-spam or submit-ham. :raise CheckerError: it did not go through."""
        body, _ = self._post(f"submit-{kind}", message)
        if body != THANKS:
            raise CheckerError(f"unexpected answer {body[:60]!r}")


def for_settings(settings: Settings) -> Checker | None:
    """The checker the settings switch on, or None (off, or no address or key)."""
    if not (settings.checker_enabled and settings.checker_configured):
        return None
    return Akismet(
        url=settings.akismet_url,
        key=settings.akismet_key,
        site=settings.akismet_site or "",
        timeout=settings.akismet_timeout,
    )
