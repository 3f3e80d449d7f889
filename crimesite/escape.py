"""Make text from raw files inert on a page, whether it lands in Markdown or in raw HTML."""

from __future__ import annotations

import json
import re

from markupsafe import Markup

# Every character Markdown, HTML or our table syntax gives a meaning to becomes a numeric character
# reference, which both Python-Markdown and browsers show as the plain character.
SPECIAL = "\\`*_{}[]()#+-.!|<>&\"'~^=:$%@"
_TABLE = {ord(char): f"&#{ord(char)};" for char in SPECIAL}
# Line breaks would end a table row or paragraph; control and bidirectional-override characters could
# hide or reorder text. They are not shown.
_BREAKS = re.compile(r"[\t\n\r\v\f\u0085\u2028\u2029]+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")
MAX_CHARS = 200


def text(value: object, limit: int | None = MAX_CHARS) -> Markup:
    """Text from a raw file, safe to place anywhere in a Markdown page; cut to `limit` characters."""
    if isinstance(value, Markup):
        return value
    cleaned = _INVISIBLE.sub("", _BREAKS.sub(" ", str(value)))
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "\u2026"
    return Markup(cleaned.translate(_TABLE))


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
