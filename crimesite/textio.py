"""Turn raw file bytes into text: gzip, byte-order mark, stray cp1252 bytes; recognise what is not text."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

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


MB = 1 << 20
# The largest real file (a NIBRS month) is 1.7 MB, 0.2 MB gzip-compressed (8 times smaller); a gzip bomb is a
# thousand times smaller than what it unpacks to.
DEFAULT_MAX_FILE_MB = 2048
DEFAULT_MAX_GZIP_RATIO = 64
# A small file may compress far better than 64 times (a test file of one row repeated): it may always unpack to this.
MIN_GZIP_LIMIT = 16 * MB
CHUNK = 1 * MB  # read at a time
OUT_CHUNK = 4 * MB  # unpacked at a time
GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib reads the gzip header and checks the trailer's CRC and length


class NotGzipError(ValueError):
    pass


class TooLargeError(ValueError):
    """A file, or what a gzip file unpacks to, is larger than the limit (`limit` bytes)."""

    def __init__(self, limit: int, gzipped: bool = False):
        self.limit = limit
        self.gzipped = gzipped
        super().__init__(f"more than {limit} bytes")


class NotRegularFileError(OSError):
    """The path leads to a device, a pipe, a socket or a folder: nothing the build reads."""


@dataclass(frozen=True)
class SizeLimit:
    """How large a raw file may be once decompressed: `max_bytes`, and for a gzip file also `gzip_ratio` times its
    own size (but never less than MIN_GZIP_LIMIT). Decompression stops as soon as it gets there."""

    max_bytes: int = DEFAULT_MAX_FILE_MB * MB
    gzip_ratio: int = DEFAULT_MAX_GZIP_RATIO

    def for_gzip(self, compressed_size: int) -> int:
        return min(self.max_bytes, max(self.gzip_ratio * compressed_size, MIN_GZIP_LIMIT))


DEFAULT_LIMIT = SizeLimit()


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((name for test, name in kinds if test(mode)), "not a regular file")


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """`path` opened for reading, only if it is a regular file. Opened without blocking (a FIFO would wait for a
    writer) and checked on the open descriptor, so the file cannot be swapped for another between check and read."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        raise NotRegularFileError(f"{file_kind(mode)}, not a regular file")
    os.set_blocking(descriptor, True)
    with os.fdopen(descriptor, "rb") as handle:
        yield handle


def file_sha256(path: Path) -> str:
    """The SHA-256 of a regular file's bytes as stored (a gzip file's compressed bytes), in hex: the one fingerprint
    of a raw file, for the build's cache and duplicate check and for the fetch's manifest."""
    with open_regular(path) as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_raw_bytes(path: Path, limit: SizeLimit = DEFAULT_LIMIT) -> bytes:
    """A raw file's bytes, gunzipped when the name or the magic number says it is gzip; TooLargeError past the
    limit (the bytes beyond it are never read or unpacked)."""
    with open_regular(path) as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(2)
        if head == GZIP_MAGIC:
            handle.seek(0)
            return gunzip(handle, limit.for_gzip(size))
        if path.name.lower().endswith(".gz"):
            raise NotGzipError("file name ends in .gz but the content is not gzip")
        data = head + handle.read(limit.max_bytes + 1 - len(head))
        if len(data) > limit.max_bytes:
            raise TooLargeError(limit.max_bytes, gzipped=False)
        return data


def gunzip(handle: BinaryIO, limit: int) -> bytes:
    """Decompress a gzip stream (one member or several, as `gzip.decompress` does) of at most `limit` bytes:
    TooLargeError when it is larger, EOFError when it is cut short. A first pass only counts (so a gzip bomb costs
    time, never memory); the second keeps the output."""
    start = handle.tell()
    _inflate(handle, limit, keep=False)
    handle.seek(start)
    return _inflate(handle, limit, keep=True)


def _inflate(handle: BinaryIO, limit: int, keep: bool) -> bytes:
    pieces: list[bytes] = []
    total = 0
    member = zlib.decompressobj(GZIP_WBITS)
    while chunk := handle.read(CHUNK):
        while chunk:
            if member.eof:  # the next member; zero bytes between members are padding
                chunk = chunk.lstrip(b"\0")
                if not chunk:
                    break
                member = zlib.decompressobj(GZIP_WBITS)
            piece = member.decompress(chunk, min(limit + 1 - total, OUT_CHUNK))
            total += len(piece)
            if total > limit:
                raise TooLargeError(limit, gzipped=True)
            if keep:
                pieces.append(piece)
            chunk = member.unused_data if member.eof else member.unconsumed_tail
    if not member.eof:
        raise EOFError("Compressed file ended before the end-of-stream marker was reached")
    return b"".join(pieces)


def decompress(data: bytes, name: str, limit: SizeLimit = DEFAULT_LIMIT) -> bytes:
    """Gunzip `data` when the name or the magic number says it is gzip (within `limit`)."""
    if data[:2] == GZIP_MAGIC:
        return gunzip(io.BytesIO(data), limit.for_gzip(len(data)))
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
    # A header names columns: a control byte there (the NUL between /proc/self/environ's variables, say) means this
    # is some other file, whose first line must not be shown as a header.
    if any(byte in CONTROL_BYTES for byte in sample.split(b"\n", 1)[0]):
        return "binary data, not CSV text (its first line holds control characters)"
    return None
