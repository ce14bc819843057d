"""Building and sending what the outbox holds: mails and webhook deliveries.

No session here: the worker loads a claimed row, hands its payload to these modules and
records the `Result`. Nothing in a request calls them.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """How one delivery attempt went."""

    ok: bool
    detail: str = ""
    status_code: int | None = None
    # Retrying cannot help (a mailbox that does not exist): fail the row now.
    permanent: bool = False
    # Nobody wants it any more (the reader unsubscribed since): drop it, not an error.
    cancelled: bool = False
