"""Which language a reader gets (?lang=, Accept-Language); the API's errors; the widget's words."""

import json
import re

import pytest

from tests.helpers import ARTICLE, comment_payload, submit

PAGE = f"/embed/{ARTICLE}"


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


def test_embed_page_follows_lang_parameter(client):
    page = client.get(f"{PAGE}?lang=ur", headers={"Accept-Language": "de"})
    assert html_tag(page) == '<html lang="ur" dir="rtl">'
    text = page.get_data(as_text=True)
    assert "تبصرہ بھیجیں" in text  # Post Comment
    assert "Post Comment" not in text


def test_embed_page_follows_accept_language_without_parameter(client):
    page = client.get(PAGE, headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert html_tag(page) == '<html lang="fr" dir="ltr">'
    assert "Publier le commentaire" in page.get_data(as_text=True)


@pytest.mark.parametrize("asked", ["xx", "", "../de", "klingon"])
def test_unknown_lang_falls_back_to_accept_language_then_english(client, asked):
    page = client.get(f"{PAGE}?lang={asked}")
    assert html_tag(page) == '<html lang="en" dir="ltr">'
    page = client.get(f"{PAGE}?lang={asked}", headers={"Accept-Language": "es"})
    assert html_tag(page) == '<html lang="es" dir="ltr">'


def test_no_js_form_errors_in_the_page_language(client):
    page = client.get(f"{PAGE}?lang=ur").get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    data = {"name": "Reader", "email": "not-an-email", "url": "", "body": "Hello", "token": token}
    response = client.post(f"{PAGE}?lang=ur", data=data)
    assert response.status_code == 422
    assert "درست ای میل پتہ درج کریں۔" in response.get_data(as_text=True)


def test_held_message_and_plural_heading_in_urdu(client):
    assert submit(client).status_code == 202
    page = client.get(f"{PAGE}?lang=ur&title=Kilns").get_data(as_text=True)
    assert "“Kilns” پر ابھی کوئی رائے نہیں" in page  # No thoughts yet on “Kilns”


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "Geben Sie eine gültige E-Mail-Adresse ein."),
        ("ur-PK", "درست ای میل پتہ درج کریں۔"),
        ("fr;q=0.8, es", "Escriba una dirección de correo electrónico válida."),
        ("", "Enter a valid email address."),
    ],
)
def test_api_field_errors_follow_accept_language(client, language, message):
    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        json=comment_payload(email="nope"),
        headers={"Accept-Language": language},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["email"] == [message]


def test_api_error_messages_follow_accept_language(client):
    response = client.get("/api/v1/no-such-thing", headers={"Accept-Language": "de"})
    assert response.status_code == 404
    error = response.get_json()["error"]
    assert error["request_id"] == response.headers["X-Request-Id"]
    assert {k: v for k, v in error.items() if k != "request_id"} == {
        "code": "not_found",
        "message": "Unter dieser Adresse gibt es nichts.",
        "fields": {},
    }


def test_api_key_errors_follow_accept_language(client):
    response = client.post(
        "/api/v1/comments/1/moderation",
        json={"action": "approve"},
        headers={"Accept-Language": "fr", "Authorization": "Bearer nope"},
    )
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == (
        "Cette clé d’API n’est pas valide ou a été révoquée."
    )
    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        data="{",
        content_type="application/json",
        headers={"Accept-Language": "ur"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "درخواست کا مواد درست JSON نہیں ہے۔"


def test_api_held_message_follows_accept_language(client):
    response = client.post(
        f"/api/v1/articles/{ARTICLE}/comments",
        json=comment_payload(),
        headers={"Accept-Language": "es"},
    )
    assert response.status_code == 202
    assert response.get_json()["message"] == "Su comentario está pendiente de moderación."


def _strings(client, code):
    script = client.get("/embed.js").get_data(as_text=True)
    urls = json.loads(re.search(r'"strings": (\{[^}]*\})', script).group(1))
    response = client.get(urls[code])
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return urls, response.get_json()


def test_widget_strings_per_locale_are_versioned_and_from_the_catalogues(client):
    urls, ur = _strings(client, "ur")
    assert set(urls) == {"en", "ur", "es", "fr", "de"}
    assert all(
        re.fullmatch(rf"/embed-strings\.{c}\.[0-9a-f]{{12}}\.json", u) for c, u in urls.items()
    )
    assert ur["locale"] == "ur" and ur["dir"] == "rtl"
    assert ur["messages"]["held"] == "آپ کا تبصرہ منظوری کا منتظر ہے۔"
    # Urdu has two forms, keyed by CLDR category as Intl.PluralRules names them.
    assert ur["plurals"]["count"] == {"one": "%(num)s تبصرہ", "other": "%(num)s تبصرے"}
    _, fr = _strings(client, "fr")
    assert fr["plurals"]["count"] == {"one": "%(num)s commentaire", "other": "%(num)s commentaires"}
    assert fr["dir"] == "ltr"
    wrong = client.get(urls["ur"].replace(".json", "0.json").replace("ur.", "ur.x"))
    assert wrong.status_code == 404
    assert client.get("/embed-strings.xx.000000000000.json").status_code == 404


def test_every_widget_string_is_translated_in_every_locale(client):
    _, en = _strings(client, "en")
    for code in ("ur", "es", "fr", "de"):
        _, other = _strings(client, code)
        assert set(other["messages"]) == set(en["messages"])
        same = {k for k, v in other["messages"].items() if v == en["messages"][k]}
        # Only words that are the same in the language itself ("Name" in German).
        assert same <= {"name", "website"}, (code, same)
