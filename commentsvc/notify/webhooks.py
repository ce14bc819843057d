"""Webhook deliveries: Standard Webhooks signatures, sent only to public addresses.

Each delivery carries `webhook-id` (the outbox row's stable id, the same on every retry),
`webhook-timestamp` (Unix seconds, fresh on every attempt) and `webhook-signature`
(`v1,` + base64 HMAC-SHA256 of "id.timestamp.body" keyed with the endpoint's secret).
The host is resolved on every delivery, every address it names must be public, and the
connection goes to the address that was checked, so a DNS answer cannot change between
the check and the request.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import secrets
import socket
import ssl
import time
from urllib.parse import urlsplit

from . import Result

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix Standard Webhooks secrets carry
USER_AGENT = "commentsvc-webhooks/1"
SHOWN_RESPONSE = 300  # characters of the receiver's answer kept in the delivery log


class AddressRefused(Exception):
    """The endpoint's host is, or resolves to, an address that is not public."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def encode(payload: dict) -> bytes:
    """The body bytes: the same payload always gives the same bytes (and signature input)."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def refusal(address: str) -> str | None:
    """Why an address may not receive webhooks (loopback, private, link-local, ...), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_global and not ip.is_multicast:
        return None
    for label in ("loopback", "private", "link_local", "multicast", "reserved", "unspecified"):
        if getattr(ip, f"is_{label}"):
            return f"{address} is a {label.replace('_', '-')} address"
    return f"{address} is not a public address"


def resolve(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` names, each checked.

    :raise AddressRefused: one of them is not public (and private ones are not allowed).
    :raise OSError: the name does not resolve.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not allow_private:
        for address in addresses:
            reason = refusal(address)
            if reason:
                raise AddressRefused(f"{host} resolves to {reason}; refused")
    return addresses


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        self._tls = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the name, the socket goes to the checked address.
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def deliver(
    url: str, secret: str, message_id: str, body: bytes, *, timeout: float, allow_private: bool
) -> Result:
    """POST one signed delivery; any answer but 2xx (or no answer) is a failure to retry."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    try:
        addresses = resolve(parts.hostname or "", port, allow_private=allow_private)
    except AddressRefused as exc:
        return Result(False, str(exc))
    except OSError as exc:
        return Result(False, f"cannot resolve {parts.hostname}: {exc}")
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    }
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    pinned = _PinnedHTTPS if https else _PinnedHTTP
    connection = pinned(parts.hostname, port, addresses[0], timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read(SHOWN_RESPONSE).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        return Result(False, f"{type(exc).__name__}: {exc}"[:500])
    finally:
        connection.close()
    ok = 200 <= response.status < 300
    detail = f"HTTP {response.status}" + (f": {answer.strip()}" if answer.strip() else "")
    return Result(ok, detail[:500], status_code=response.status)
