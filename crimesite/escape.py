"""Make text from raw files inert on a page, whether it lands in Markdown, raw HTML, a page title or a chart.

What a value from a raw file (a description, a street, a neighborhood name, a file name, a claim) becomes on
the site, everywhere it is shown:

- **Control characters are dropped**: C0 (U+0000-U+001F, NUL included), DEL and C1 (U+007F-U+009F), which
  have no glyph and can hide text or, in a terminal or a spreadsheet, act on it.
- **Format characters are dropped**: Unicode category Cf, which holds the bidirectional overrides, embeddings,
  isolates and marks (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C), the zero-width characters
  (U+200B-U+200D, U+2060), the byte-order mark (U+FEFF) and the invisible tag characters (U+E0000-U+E007F).
  An override can make a value read backwards ("txt.exe" shown as "exe.txt") or reorder the text around
  it. Removing them rather than isolating the value in `<bdi>` gives one rule for every place a value goes,
  including those where no markup is possible (chart labels and tooltips, page titles, the navigation,
  aria-labels). Letters of right-to-left scripts are kept: only the invisible controls go.
- **Line and paragraph breaks become spaces** (tab, LF, CR, VT, FF, NEL, U+2028, U+2029): they would end a
  table row or a paragraph.
- **Long values are cut** to `MAX_CHARS` with an ellipsis where a short label is expected.
- In Markdown and HTML, **every character with a meaning** in Markdown, HTML or Jinja becomes a numeric
  character reference (`&#60;` for `<`), which Python-Markdown and browsers show as the plain character:
  `<script>` and `{{ 7*7 }}` are shown as typed, never run or evaluated.

The published data files keep the values as the raw files have them (see the downloads page).
"""

from __future__ import annotations

import json
import re
import unicodedata

from markupsafe import Markup

# Every character Markdown, HTML or our table syntax gives a meaning to becomes a numeric character
# reference, which both Python-Markdown and browsers show as the plain character.
SPECIAL = "\\`*_{}[]()#+-.!|<>&\"'~^=:$%@"
_TABLE = {ord(char): f"&#{ord(char)};" for char in SPECIAL}
_BREAKS = re.compile(r"[\t\n\r\v\f\x85\u2028\u2029]+")
DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})  # controls, format characters, lone surrogates
MAX_CHARS = 200
ELLIPSIS = "\u2026"


def _visible(text: str) -> str:
    # Almost every value is printable: only the others are looked at character by character.
    if text.isprintable():
        return text
    return "".join(char for char in text if unicodedata.category(char) not in DROPPED_CATEGORIES)


def plain(value: object, limit: int | None = MAX_CHARS) -> str:
    """Text from a raw file as it may be shown anywhere (a chart label, a tooltip, an attribute): breaks
    become spaces, control and format characters are dropped, and it is cut to `limit` characters.
    Not escaped: put it where text is text (JSON in a chart spec, an attribute escaped by its writer)."""
    cleaned = _visible(_BREAKS.sub(" ", str(value)))
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + ELLIPSIS
    return cleaned


def text(value: object, limit: int | None = MAX_CHARS) -> Markup:
    """Text from a raw file, safe to place anywhere in a Markdown page or in HTML; cut to `limit` characters."""
    if isinstance(value, Markup):
        return value
    return Markup(plain(value, limit).translate(_TABLE))


def json_for_script(data: object) -> Markup:
    """JSON that cannot close or break out of the <script> element it is placed in."""
    encoded = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for char, replacement in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        encoded = encoded.replace(char, replacement)
    return Markup(encoded)
