"""The text rules every string input follows, as pure functions and as marshmallow fields."""

import importlib
import inspect

import pytest
from hypothesis import given
from hypothesis import strategies as st
from marshmallow import Schema, ValidationError, fields

from commentsvc.fields import Name, Text, Trimmed, Url, text_problem, visible

BAD_ANYWHERE = [
    "\ud800",  # a lone high surrogate, as JSON's "\ud800" decodes
    "\udfff",
    "\x00",
    "\x01",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\x80",
    "\x85",
    "\x9b",
    "\x9f",
]
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
LINE_BREAKS = ["\n", "\r", "\r\n", "\t", "\u2028", "\u2029"]


@pytest.mark.parametrize("bad", BAD_ANYWHERE)
@pytest.mark.parametrize("multiline", [False, True])
def test_surrogates_and_control_characters_are_refused_everywhere(bad, multiline):
    assert text_problem(f"a{bad}b", multiline=multiline)
    with pytest.raises(ValidationError):
        Text(multiline=multiline).deserialize(f"a{bad}b")


@pytest.mark.parametrize("brk", LINE_BREAKS)
def test_line_breaks_and_tabs_only_in_multi_line_text(brk):
    assert text_problem(f"a{brk}b") == "Line breaks and tabs are not allowed here."
    assert text_problem(f"a{brk}b", multiline=True) is None


def test_multi_line_text_normalises_line_ends():
    assert Text(multiline=True).deserialize("one\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert Trimmed(multiline=True).deserialize("\r\n  one\r\n\r\ntwo \r\n") == "one\n\ntwo"


@pytest.mark.parametrize("edge", ["\x85", "\x1f", "\x0b", "\x0c", "\x00"])
def test_controls_at_the_edges_are_refused_not_trimmed_away(edge):
    with pytest.raises(ValidationError, match="Control characters"):
        Trimmed().deserialize(f"{edge}Fine{edge}")


def test_surrounding_white_space_is_trimmed_before_the_line_rule():
    assert Trimmed().deserialize("  Ada Lovelace \n") == "Ada Lovelace"
    with pytest.raises(ValidationError):
        Trimmed().deserialize("Ada\nLovelace")


@pytest.mark.parametrize("control", BIDI)
def test_direction_controls_are_refused_in_names_and_addresses_only(control):
    with pytest.raises(ValidationError, match="Text-direction controls"):
        Name().deserialize(f"evil{control}gnp.exe")
    with pytest.raises(ValidationError, match="Text-direction controls"):
        Url().deserialize(f"https://example.org/{control}")
    assert Text(multiline=True).deserialize(f"quoted {control}text") == f"quoted {control}text"


@pytest.mark.parametrize(
    "blank",
    [
        "\u200b",
        "\u200b\u200c\u200d\u2060",
        "\ufeff",
        "\u00ad",
        "\u3164",
        "\u115f\u1160",
        "\u2800",
        "\u0301\u0302",
        " \u200b ",
        "\u200e\u200f",
    ],
)
def test_a_name_needs_something_visible(blank):
    assert not visible(blank)
    with pytest.raises(ValidationError, match="visible character"):
        Name().deserialize(blank)


def test_a_name_of_spaces_is_trimmed_to_nothing_for_the_length_rule():
    assert not visible("\u00a0\u2003")
    assert Name().deserialize(" \u00a0\u2003\u3000 ") == ""


@pytest.mark.parametrize(
    "name", ["Zoë", "عائشہ خان", "ناصر", "שלום", "李小龙", "e\u0301", "A\u200bB", "🙂", "O'Brien"]
)
def test_names_in_any_script_are_accepted(name):
    assert visible(name)
    assert Name().deserialize(name) == name


@given(st.text())
def test_text_fields_never_crash_and_never_pass_a_control_character(value):
    for field in (Text(), Text(multiline=True), Trimmed(), Name(), Url()):
        try:
            loaded = field.deserialize(value)
        except ValidationError:
            continue
        assert isinstance(loaded, str)
        loaded.encode("utf-8")  # valid Unicode: no lone surrogate survives
        assert text_problem(loaded, multiline=field.multiline, bidi=field.bidi) is None


INPUT_MODULES = ("commentsvc.schemas", "commentsvc.api.schemas", "commentsvc.review.forms")


def _input_schemas():
    for name in INPUT_MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Schema) and cls.__name__.endswith(("In", "Query", "Form")):
                yield cls


def _string_fields(field):
    if isinstance(field, fields.List):
        yield from _string_fields(field.inner)
    elif isinstance(field, fields.String):
        yield field


def test_every_string_input_field_derives_from_text():
    schemas = sorted(set(_input_schemas()), key=lambda cls: cls.__name__)
    assert len(schemas) >= 15
    checked = 0
    for cls in schemas:
        for name, field in cls._declared_fields.items():
            for string in _string_fields(field):
                assert isinstance(string, Text), f"{cls.__module__}.{cls.__name__}.{name}"
                checked += 1
    assert checked >= 30


def test_the_fast_scan_misses_no_character_the_rules_refuse():
    # text_problem passes text the regex finds nothing in without looking further, so
    # every character any rule objects to must be one the regex finds.
    import sys

    from commentsvc.fields import _SUSPECT, text_problem

    missed = [
        hex(code)
        for code in range(sys.maxunicode + 1)
        if text_problem(chr(code), multiline=False, bidi=False) is not None
        and _SUSPECT.search(chr(code)) is None
    ]
    assert missed == []
