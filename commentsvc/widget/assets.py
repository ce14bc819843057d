"""The widget's static files, each at a URL carrying a hash of its content.

`/embed.js` (the address sites paste) is short-cached with an ETag; the same bytes at
`/embed.<hash>.js`, and the stylesheet and the iframe's script at theirs, are cached for
a year. embed.js is served with the service's settings written into it (the stylesheet's
address, the reply depth, the longest comment, the address of each locale's strings), so
the hash covers those too. The strings of each shipped locale (from the gettext
catalogues) are `/embed-strings.<locale>.<hash>.json`, cached like the script.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Response, abort, current_app, request, url_for

from .. import locales
from . import bp, strings

SHORT_CACHE = 300  # seconds: how long an old /embed.js may linger after a deploy
LONG_CACHE = 365 * 24 * 3600
CONFIG_MARK = "/*commentsvc:config*/{}"
FILES = {"embed.js": "embed.js", "widget.css": "widget.css", "embed-frame.js": "embed-frame.js"}
MIMETYPES = {"js": "text/javascript", "css": "text/css", "json": "application/json"}


@dataclass(frozen=True)
class Asset:
    name: str
    body: bytes
    digest: str

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def ext(self) -> str:
        return self.name.rsplit(".", 1)[1]


def _read(name: str) -> str:
    return (Path(current_app.static_folder) / FILES[name]).read_text(encoding="utf-8")


def _asset(name: str, text: str) -> Asset:
    body = text.encode()
    return Asset(name, body, hashlib.sha256(body).hexdigest()[:12])


def _build() -> dict[str, Asset]:
    css = _asset("widget.css", _read("widget.css"))
    frame = _asset("embed-frame.js", _read("embed-frame.js"))
    texts = [
        _asset(f"embed-strings.{code}.json", json.dumps(strings.strings_for(code), sort_keys=True))
        for code in locales.LOCALES
    ]
    settings = {
        "css": f"/widget.{css.digest}.css",
        "strings": {
            a.name.split(".")[1]: f"/embed-strings.{a.name.split('.')[1]}.{a.digest}.json"
            for a in texts
        },
        "depth": int(current_app.config["THREAD_DEPTH"]),
        "bodyMax": int(current_app.config["BODY_MAX_LENGTH"]),
    }
    script = _read("embed.js")
    if CONFIG_MARK not in script:
        raise RuntimeError(f"embed.js lost its settings mark {CONFIG_MARK!r}")
    embed = _asset("embed.js", script.replace(CONFIG_MARK, json.dumps(settings), 1))
    return {a.name: a for a in (embed, css, frame, *texts)}


def assets() -> dict[str, Asset]:
    """The widget's files for this app, read once (the debug server re-reads each time)."""
    cache = current_app.extensions.setdefault("commentsvc_widget_assets", {})
    if "assets" not in cache or current_app.debug:
        cache["assets"] = _build()
    return cache["assets"]


def versioned_url(name: str, **kwargs) -> str:
    """The long-cached address of a widget file, e.g. /embed.3f2a9c1b7d4e.js."""
    asset = assets()[name]
    return url_for(
        "widget.versioned", stem=asset.stem, digest=asset.digest, ext=asset.ext, **kwargs
    )


def _send(asset: Asset, max_age: int, immutable: bool = False) -> Response:
    response = Response(asset.body, mimetype=MIMETYPES[asset.ext])
    response.set_etag(asset.digest)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    if immutable:
        response.cache_control.immutable = True
    # Pages on other sites load these; allow it explicitly for module/CORS-mode loads.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


@bp.get("/embed.js")
def embed_js():
    """The address sites paste: short-cached, revalidated by ETag."""
    response = _send(assets()["embed.js"], SHORT_CACHE)
    response.headers["Link"] = f'<{versioned_url("embed.js")}>; rel="canonical"'
    return response


@bp.get("/embed-strings.<locale>.<digest>.json")
def versioned_strings(locale: str, digest: str):
    """One locale's widget strings at their content-hashed address: immutable, a year.

    :raise 404: a locale not shipped, or a hash that is not the current content's.
    """
    asset = assets().get(f"embed-strings.{locale}.json")
    if asset is None or asset.digest != digest:
        abort(404)
    return _send(asset, LONG_CACHE, immutable=True)


@bp.get('/<any("embed", "widget", "embed-frame"):stem>.<digest>.<any("js", "css"):ext>')
def versioned(stem: str, digest: str, ext: str):
    """A widget file at its content-hashed address: immutable, cached for a year.

    :raise 404: an unknown file, or a hash that is not the current content's.
    """
    asset = assets().get(f"{stem}.{ext}")
    if asset is None or asset.digest != digest:
        abort(404)
    return _send(asset, LONG_CACHE, immutable=True)
