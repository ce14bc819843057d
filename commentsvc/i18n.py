"""Flask-Babel wiring: which locale a request is answered in, and the page's lang/dir.

The choice, first that applies (a mail to a moderator forces theirs with `force_locale`):
1. `?lang=` on the readers' pages (/embed/<id>, /demo/, the unsubscribe page);
2. the signed-in moderator's own choice, in the review UI;
3. the browser's Accept-Language (the JSON API's error messages, the sign-in page);
4. English.
"""

from babel import Locale
from flask import Flask, has_request_context, request
from flask_babel import Babel, get_locale, get_translations, gettext, refresh
from markupsafe import Markup

from . import locales

babel = Babel()
_PARSED = {code: Locale.parse(code) for code in locales.LOCALES}
# The readers' door honours ?lang= (the widget's iframe and its demo page).
LANG_PARAM_BLUEPRINTS = {"widget"}


def select_locale() -> Locale:
    # A parsed Locale, made once: Flask-Babel would parse a code again on every request,
    # and parsing looks for the locale's data file on disk.
    return _PARSED[_select_code()]


def _select_code() -> str:
    if not has_request_context():
        return locales.DEFAULT
    if request.blueprint in LANG_PARAM_BLUEPRINTS:
        asked = locales.match(request.args.get("lang"))
        if asked:
            return asked
    if request.blueprint == "review":
        mine = _moderator_locale()
        if mine:
            return mine
    return request.accept_languages.best_match(list(locales.LOCALES)) or locales.DEFAULT


def _moderator_locale() -> str | None:
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return locales.match(getattr(current_user.moderator, "locale", None))
    return None


def current() -> str:
    """The request's locale code ("ur"), as Flask-Babel settled it."""
    return str(get_locale() or locales.DEFAULT).split("_", 1)[0]


def direction() -> str:
    """ "rtl" or "ltr": the request's (or the forced) locale's writing direction."""
    return locales.direction(current())


def _page_language() -> dict:
    code = current()
    return {
        "page_lang": code,
        "page_dir": locales.direction(code),
        "LOCALES": locales.LOCALES,
    }


def init_app(app: Flask) -> None:
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories="translations"
    )
    app.context_processor(_page_language)
    # Flask-Babel keeps its choice on `g`, which lives as long as the app context: a
    # context kept open across requests (a worker, a test) must not keep the last answer.
    app.before_request(refresh)
    # Globals, unlike context variables, reach macros imported without context (mails).
    app.jinja_env.globals.update(
        bdi=bdi, strong=strong, current_lang=current, current_dir=direction, Markup=Markup
    )
    app.jinja_env.filters["messages"] = messages


def messages(texts) -> str:
    """A field's error messages, each in the page's language (marshmallow keeps N_ msgids)."""
    return " ".join(gettext(str(text)) for text in texts)


def bdi(text) -> Markup:
    """A name isolated from the sentence around it (an English name in an Urdu sentence)."""
    return Markup("<bdi>%s</bdi>") % (text or "")


def strong(text) -> Markup:
    """A value set in bold inside a translated sentence, isolated like a name."""
    return Markup("<strong><bdi>%s</bdi></strong>") % (text or "")


def plural(singular: str, plural_: str, n: int, **variables) -> str:
    """ngettext whose `%(num)s` may be given formatted ("1,000"; Flask-Babel's takes n as is).

    `make messages` extracts it as a keyword (`-k plural:1,2`).
    """
    variables.setdefault("num", n)
    return get_translations().ungettext(singular, plural_, n) % variables


def N_(message: str) -> str:
    """Mark a message for the catalogues without translating it yet (`-k N_`).

    For libraries that want a plain string (marshmallow's error messages); the door
    translates it when it presents it (schemas.flatten).
    """
    return message
