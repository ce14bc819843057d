"""Avatars that reveal nothing: a keyed hash of the email, drawn as an identicon.

Pure: no Flask. The token is HMAC-SHA256 of the email under the service's secret, so
the same person gets the same picture, and nobody without the secret can compute
it from an address (unlike a plain or md5 hash, which anyone can test guesses against).
embed.js draws the same picture from the same token (keep `cells` and `colour` in step
with `identicon` there).
"""

import functools
import hashlib
import hmac

from markupsafe import Markup

TOKEN_LENGTH = 16  # hex digits: 64 bits, plenty to tell commenters apart
GRID = 5
BACKGROUND = "#f0f0f1"


# Threads show the same authors again and again; the HMAC is the costly part of a page.
@functools.lru_cache(maxsize=16384)
def token(email: str, secret: str | bytes) -> str:
    """The public avatar token of an email address (case and surrounding space ignored)."""
    key = secret.encode() if isinstance(secret, str) else secret
    message = b"commentsvc-avatar\x00" + email.strip().lower().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def colour(avatar: str) -> str:
    """The foreground colour: a hue from the token's first three hex digits."""
    return f"hsl({int(avatar[:3], 16) % 360} 55% 45%)"


def cells(avatar: str) -> list[tuple[int, int]]:
    """The filled (x, y) squares of a 5x5 grid, mirrored left to right.

    Fifteen bits (digits 3 to 6 of the token) fill the left three columns; the
    right two mirror the left two.
    """
    bits = int(avatar[3:7], 16)
    filled = []
    for i in range(GRID * 3):
        if bits >> i & 1:
            x, y = i // GRID, i % GRID
            filled.append((x, y))
            if x < 2:
                filled.append((GRID - 1 - x, y))
    return sorted(filled)


def identicon_svg(avatar: str, size: int = 40) -> Markup:
    """An inline SVG of the token's identicon (no style attributes: CSP-friendly)."""
    if len(avatar) != TOKEN_LENGTH or any(c not in "0123456789abcdef" for c in avatar):
        raise ValueError("not an avatar token")
    rects = "".join(f'<rect x="{x}" y="{y}" width="1" height="1"/>' for x, y in cells(avatar))
    # Safe: the token is checked to be hex above, the rest are our own numbers.
    return Markup(  # noqa: S704
        f'<svg class="avatar" width="{size}" height="{size}" viewBox="-0.5 -0.5 6 6" '
        f'aria-hidden="true" shape-rendering="crispEdges">'
        f'<rect x="-0.5" y="-0.5" width="6" height="6" fill="{BACKGROUND}"/>'
        f'<g fill="{colour(avatar)}">{rects}</g></svg>'
    )
