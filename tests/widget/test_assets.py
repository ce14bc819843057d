"""embed.js and the widget's other files: cache lifetimes, versioned URLs, size."""

import gzip
import re

import pytest

GZIP_BUDGET = 15 * 1024


def test_embed_js_is_short_cached_and_revalidated(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.cache_control.public and response.cache_control.max_age == 300
    assert not response.cache_control.immutable
    etag = response.headers["ETag"]
    assert client.get("/embed.js", headers={"If-None-Match": etag}).status_code == 304


def test_embed_js_points_at_its_versioned_url_which_is_immutable(client):
    current = client.get("/embed.js")
    versioned = re.fullmatch(
        r'<(/embed\.[0-9a-f]{12}\.js)>; rel="canonical"', current.headers["Link"]
    )
    assert versioned
    response = client.get(versioned.group(1))
    assert response.status_code == 200
    assert response.data == current.data
    assert response.cache_control.max_age == 365 * 24 * 3600
    assert response.cache_control.immutable and response.cache_control.public


def test_an_old_or_unknown_version_is_not_found(client):
    assert client.get("/embed.000000000000.js").status_code == 404
    assert client.get("/widget.000000000000.css").status_code == 404


def test_embed_js_carries_the_settings_and_its_stylesheet(client, app):
    script = client.get("/embed.js").get_data(as_text=True)
    css = re.search(r'"css": "(/widget\.[0-9a-f]{12}\.css)"', script).group(1)
    assert f'"depth": {app.config["THREAD_DEPTH"]}' in script
    assert f'"bodyMax": {app.config["BODY_MAX_LENGTH"]}' in script
    sheet = client.get(css)
    assert sheet.status_code == 200 and sheet.mimetype == "text/css"
    assert sheet.cache_control.immutable
    assert "--commentsvc-accent" in sheet.get_data(as_text=True)


def test_embed_js_is_under_15_kb_gzipped(client):
    body = client.get("/embed.js").data
    size = len(gzip.compress(body, compresslevel=9))
    print(f"embed.js: {len(body)} bytes, {size} bytes gzipped")
    assert size < GZIP_BUDGET


def test_embed_js_inserts_markup_only_from_the_sanitised_html(client):
    script = client.get("/embed.js").get_data(as_text=True)
    assert script.count("innerHTML") == 1
    assert "content.innerHTML = c.html" in script
    assert "outerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script and "eval(" not in script
    assert "document.cookie" not in script


@pytest.mark.parametrize("name", ["widget.css", "embed-frame.js"])
def test_the_embed_page_loads_its_files_from_versioned_urls(client, name):
    stem, ext = name.rsplit(".", 1)
    html = client.get("/embed/some-article").get_data(as_text=True)
    url = re.search(rf'"(/{stem}\.[0-9a-f]{{12}}\.{ext})"', html).group(1)
    response = client.get(url)
    assert response.status_code == 200
    assert response.cache_control.immutable
