"""Text from raw files must show as text: Markdown and HTML in it stay inert."""

from __future__ import annotations

import html as htmllib
import json
import re

import markdown
import pytest

from crimesite import escape, page_blocks, page_format
from tests.conftest import shown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![x](http://example.com/x.png)",
    "**bold** _em_ `code` # heading",
    "{{ config }} {% raw %}",
    "A | B | C",
    "1. not a list",
    "line\nbreak\r\nand\ttab",
    "\u202eevil\u202c and \x00\x07control",
    "&amp; &lt;",
]


def render(md: str) -> str:
    return markdown.markdown(md, extensions=["tables", "attr_list", "admonition"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_escaped_text_renders_as_the_same_characters(payload):
    html = render(f"Before {escape.text(payload)} after")
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<strong>" not in html and "<em>" not in html and "<code>" not in html and "<h1" not in html


def test_the_visible_text_is_the_original_minus_invisible_characters():
    rendered = render(f"x {escape.text('<b>A & B</b> [c](d) *e*')} y")
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert text == "x <b>A & B</b> [c](d) *e* y"


def test_control_and_bidi_characters_are_dropped_and_breaks_become_spaces():
    assert str(escape.text("a\u202eb\x00c\nd")) == "abc d"


def test_long_values_are_cut():
    assert len(str(escape.text("A" * 1000))) == escape.MAX_CHARS


def test_raw_cells_with_pipes_stay_in_their_column():
    table = page_blocks.md_table(["Description", "Count"], [[escape.text("A | B"), page_format.fmt_int(3)]], "lr")
    html = render(shown(table))
    assert html.count("<td") == 2
    assert "A | B" in html.replace("&#124;", "|")


def test_our_own_words_and_numbers_are_set_as_they_are():
    table = shown(page_blocks.md_table(["Share (%)", "St. Louis"], [["33.3", "2024-01 to 2024-02"]], "rl"))
    assert "| Share (%) | St. Louis |" in table and "| 33.3 | 2024-01 to 2024-02 |" in table
    assert "&#" not in table


def test_json_in_a_script_element_cannot_close_it():
    encoded = str(escape.json_for_script({"d": "</script><script>alert(1)</script>", "e": "a&b"}))
    assert "</script" not in encoded and "<" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"d": "</script><script>alert(1)</script>", "e": "a&b"}


def test_html_tables_show_raw_cells_escaped_by_their_builder_as_text():
    rows = [[escape.text("<script>x</script>"), page_format.fmt_int(1)]]
    table = shown(page_blocks.html_table("t", escape.text("<i>cap</i>"), [escape.text("<h>"), "n"], rows, "lr"))
    assert "<script>" not in table and "<i>" not in table and "<h>" not in table
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", render(table)))
    assert "<script>x</script>" in text and "<i>cap</i>" in text


def test_format_characters_go_and_letters_of_every_script_stay():
    """Hebrew, Arabic, accents and the no-break space are kept; tag characters, isolates and the soft hyphen
    (all Unicode category Cf) are dropped, as are C0 and C1 controls."""
    assert escape.plain("\u05e9\u05dc\u05d5\u05dd \u0633\u0644\u0627\u0645 caf\u00e9 \u00a0x") == (
        "\u05e9\u05dc\u05d5\u05dd \u0633\u0644\u0627\u0645 caf\u00e9 \u00a0x"
    )
    assert escape.plain("a\U000e0041\U000e0042b\u2066c\u2069\u00ad") == "abc"
    assert escape.plain("a\x1cb\x9bc\x7fd\x00e") == "abcde"
