"""The shipped catalogues: complete, careful, compiled; and Plural-Forms that fit each language."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from commentsvc import locales

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "commentsvc" / "translations"
TRANSLATED = [code for code in locales.LOCALES if code != locales.DEFAULT]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _po(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=code)


def _template():
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        return read_po(f)


def _placeholders(text) -> set[str]:
    texts = text if isinstance(text, tuple | list) else (text,)
    return {name for t in texts for name in PLACEHOLDER.findall(t or "")}


def test_template_holds_what_the_code_marks(tmp_path):
    """`make messages` was run: extracting now finds exactly the template's msgids."""
    fresh = tmp_path / "fresh.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg"]
    command += ["-k", "lazy_gettext", "-k", "_l", "-k", "plural:1,2", "-k", "N_"]
    command += ["--no-location", "--omit-header", "-o", str(fresh), "."]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    with open(fresh, "rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    assert extracted == {m.id for m in _template() if m.id}
    assert len(extracted) > 200


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_not_fuzzy(code):
    template = {m.id for m in _template() if m.id}
    catalogue = _po(code)
    assert {m.id for m in catalogue if m.id} == template
    untranslated = [m.id for m in catalogue if m.id and not all(_strings(m))]
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("code", TRANSLATED)
def test_placeholders_agree(code):
    wrong = []
    for m in _po(code):
        if not m.id:
            continue
        source = _placeholders(m.id)
        for text in _strings(m):
            found = _placeholders(text)
            # A singular form may name the number in words ("One thought"): the plural's
            # placeholders are the whole set a translation may use, and each it uses exists.
            if not found <= source or (source - {"num"}) - found:
                wrong.append((m.id, text))
    assert wrong == []


@pytest.mark.parametrize("code", TRANSLATED)
def test_not_copies_of_english(code):
    """A translation equal to its English source is allowed only for names and codes."""
    same = [
        m.id
        for m in _po(code)
        if m.id and _strings(m)[0] == (m.id if isinstance(m.id, str) else m.id[0])
    ]
    allowed = {
        "Spam",
        "Webhooks",
        "IP %(address)s",
        "Details",
        "Articles",
        "Pages",
        "Profile",
        "Opinion",
        "Name",
        "Status",
        "Error %(status)s",
        "%(service)s: spam",
        "Article",
        "Industrie",
        "Action",
        "Website",
        "Website:",
        "spam",
        # Loan words and bare references, the same in the language's own usage.
        "Webhook %(id)s",
        "« Webhooks",
        "total",
        "%(link)s (%(path)s).",
        "Secret",
        "Description",
        "Moderator",
    }
    assert set(same) <= allowed, set(same) - allowed


def _key(value):
    return tuple(value) if isinstance(value, list | tuple) else value


@pytest.mark.parametrize("code", TRANSLATED)
def test_compiled_catalogue_matches_its_source(code):
    with open(TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo", "rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    source = {_key(m.id): _key(m.string) for m in _po(code) if m.id}
    assert compiled == source, "run `make messages`"


@pytest.mark.parametrize(
    ("code", "nplurals", "samples"),
    [
        ("ur", 2, {0: 1, 1: 0, 2: 1, 21: 1}),
        ("es", 2, {0: 1, 1: 0, 5: 1}),
        ("fr", 2, {0: 0, 1: 0, 2: 1}),
        ("de", 2, {0: 1, 1: 0, 2: 1}),
    ],
)
def test_plural_forms_fit_the_language(code, nplurals, samples):
    catalogue = _po(code)
    assert catalogue.num_plurals == nplurals
    expression = catalogue.plural_expr
    for n, form in samples.items():
        assert int(eval(expression.replace("n", str(n)))) == form  # noqa: S307
    # And CLDR (which the browser's Intl.PluralRules follows) agrees: "one" is form 0.
    rule = Locale.parse(code).plural_form
    for n, form in samples.items():
        assert (rule(n) == "one") == (form == 0)
