"""Turn raw file bytes into text: gzip, byte-order mark, stray cp1252 bytes; recognise what is not text."""

from __future__ import annotations

import codecs
import gzip
from dataclasses import dataclass

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
ZIP_MAGIC = b"PK\x03\x04"
# Control bytes (but tab and line breaks) in a text file are rare: a payload or a stray byte here and there.
# In binary data they are about one byte in eight.
CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 13}) | {127}
MAX_CONTROL_SHARE = 0.05
FALLBACK_ERRORS = "cp1252-fallback"


def _decode_cp1252_byte(error: UnicodeDecodeError) -> tuple[str, int]:
    # Decode one offending byte as cp1252 (latin-1 for the five bytes cp1252 leaves undefined).
    byte = error.object[error.start : error.start + 1]
    try:
        return byte.decode("cp1252"), error.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), error.start + 1


codecs.register_error(FALLBACK_ERRORS, _decode_cp1252_byte)


@dataclass(frozen=True)
class DecodedText:
    text: str
    had_bom: bool
    cp1252_bytes: int


class NotGzipError(ValueError):
    pass


def decompress(data: bytes, name: str) -> bytes:
    """Gunzip `data` when the name or the magic number says it is gzip."""
    if data[:2] == GZIP_MAGIC:
        return gzip.decompress(data)
    if name.lower().endswith(".gz"):
        raise NotGzipError("file name ends in .gz but the content is not gzip")
    return data


def decode(data: bytes) -> DecodedText:
    """UTF-8 with an optional BOM; bytes that are not UTF-8 are read as cp1252."""
    had_bom = data.startswith(UTF8_BOM)
    if had_bom:
        data = data[len(UTF8_BOM) :]
    try:
        return DecodedText(data.decode("utf-8"), had_bom, 0)
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors=FALLBACK_ERRORS)
        strict_len = len(data.decode("utf-8", errors="ignore"))
        return DecodedText(text, had_bom, len(text) - strict_len)


def not_text(data: bytes) -> str | None:
    """What the (decompressed) file is when it is not UTF-8 or Windows-1252 text, else None."""
    if data.startswith(UTF16_BOMS):
        return "UTF-16 text (save it as UTF-8)"
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:
        return "UTF-16 text without a byte-order mark, or binary data (save it as UTF-8)"
    if sample.startswith(ZIP_MAGIC):
        return "a ZIP archive (an Excel workbook?), not CSV text"
    if sample and sum(byte in CONTROL_BYTES for byte in sample) > MAX_CONTROL_SHARE * len(sample):
        return "binary data, not CSV text"
    return None
