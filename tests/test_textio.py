import gzip
import hashlib

import pytest

from crimesite import textio
from tests.conftest import FIXTURES


def test_plain_utf8_is_decoded_as_is():
    decoded = textio.decode("CAFÉ,1\n".encode())
    assert decoded.text == "CAFÉ,1\n"
    assert not decoded.had_bom
    assert decoded.cp1252_bytes == 0


def test_byte_order_mark_is_removed_and_noted():
    decoded = textio.decode(b"\xef\xbb\xbfCount\r\n")
    assert decoded.text == "Count\r\n"
    assert decoded.had_bom


def test_stray_cp1252_bytes_are_read_as_cp1252_without_harming_utf8():
    # 0x92 is a cp1252 right quote; the É beside it is proper UTF-8 and must survive.
    decoded = textio.decode(b"\xef\xbb\xbfMARSHA\x92S CAF\xc3\x89 \x96 BAR")
    assert decoded.text == "MARSHA\u2019S CAFÉ \u2013 BAR"
    assert decoded.cp1252_bytes == 2
    assert decoded.had_bom


def test_gzip_is_recognised_by_content():
    assert textio.decompress(gzip.compress(b"a,b\n"), "x.csv.gz") == b"a,b\n"
    assert textio.decompress(b"a,b\n", "x.csv") == b"a,b\n"


def test_a_gz_name_on_plain_bytes_is_an_error():
    with pytest.raises(textio.NotGzipError):
        textio.decompress(b"a,b\n", "x.csv.gz")


def test_what_is_not_text_is_recognised():
    text = "Complaint,CodedMonth\r\n14-1,2014-02\r\n"
    assert textio.not_text(text.encode("utf-16")).startswith("UTF-16 text (")
    assert textio.not_text(text.encode("utf-16-le")).startswith("UTF-16 text without a byte-order mark")
    assert textio.not_text(b"PK\x03\x04" + b"x" * 100).startswith("a ZIP archive")
    assert textio.not_text(bytes(range(256)) * 4) == "binary data, not CSV text"


def test_text_with_a_few_control_characters_is_text():
    """The hostile fixtures hold NUL, ESC and C1 characters in some cells: still text."""
    for path in sorted((FIXTURES / "hostile" / "raw").rglob("*.csv")) + sorted((FIXTURES / "legacy").glob("*.csv")):
        assert textio.not_text(path.read_bytes()) is None, path.name
    assert textio.not_text(b"") is None


def test_the_fingerprint_is_the_sha256_of_the_stored_bytes(tmp_path):
    path = tmp_path / "feb.csv.gz"
    path.write_bytes(gzip.compress(b"Complaint\n1\n"))
    assert textio.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_fingerprint_is_taken_of_regular_files_only(tmp_path):
    with pytest.raises(textio.NotRegularFileError):
        textio.file_sha256(tmp_path)
