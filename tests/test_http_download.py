"""One GET's parts, without a server (crimesite.http_download); tests/test_fetch.py runs whole downloads."""

from __future__ import annotations

import hashlib
import io
import re
import urllib.parse
from email.message import Message
from pathlib import Path

import pytest

from crimesite import config, http_download
from crimesite.manifest import Entry


def limits(max_bytes: int) -> config.Fetch:
    section = {"folder": "data", "timeout_seconds": 10, "retries": 0, "files": [], "max_bytes": max_bytes}
    return config.parse_fetch(section, Path("/"))


def headers(**fields: str) -> Message:
    message = Message()
    for name, value in fields.items():
        message[name.replace("_", "-")] = value
    return message


def test_a_request_asks_for_the_file_as_published_and_conditionally_when_known():
    plain = http_download.request_headers(None)
    assert plain == {"User-Agent": http_download.USER_AGENT, "Accept-Encoding": "identity"}
    known = Entry("raw/a.csv", "u", "0" * 64, 1, "t", etag='"v1"', last_modified="Mon, 05 Jan 2026 00:00:00 GMT")
    conditional = http_download.request_headers(known)
    assert conditional == plain | {"If-None-Match": '"v1"', "If-Modified-Since": "Mon, 05 Jan 2026 00:00:00 GMT"}


class Body:
    """A response body served in chunks of at most `size` bytes, as read1 serves what has arrived."""

    def __init__(self, data: bytes, size: int):
        self._stream, self._size = io.BytesIO(data), size

    def read1(self, limit: int) -> bytes:
        return self._stream.read(min(limit, self._size))


def test_a_body_is_saved_with_its_digest_and_stopped_over_the_limit(tmp_path):
    target = tmp_path / "staged"
    digest = http_download.save_body(Body(b"abc" * 1000, 700), target, limits(3000))
    assert target.read_bytes() == b"abc" * 1000
    assert digest == hashlib.sha256(b"abc" * 1000).hexdigest()
    with pytest.raises(http_download.DownloadError) as caught:
        http_download.save_body(Body(b"abc" * 1001, 700), target, limits(3000))
    assert str(caught.value) == "stopped after 3,003 bytes, more than fetch.max_bytes (3,000) allows"
    assert not caught.value.retry


@pytest.mark.parametrize(
    ("fields", "page", "problem"),
    [
        ({"Content_Encoding": "gzip"}, False, "sent with Content-Encoding gzip, not as published"),
        ({"Content_Type": "text/html; charset=utf-8"}, False, "the server sent a web page (text/html), not the file"),
        ({"Content_Type": "text/html"}, True, None),
        ({"Content_Encoding": "identity", "Content_Type": "text/csv"}, False, None),
    ],
)
def test_a_response_is_the_file_as_published(fields, page, problem):
    if problem is None:
        http_download.check_response(headers(**fields), page)
        return
    with pytest.raises(http_download.DownloadError, match=re.escape(problem)):
        http_download.check_response(headers(**fields), page)


def test_the_announced_length_and_the_progress_are_read_and_written_plainly():
    assert http_download.content_length(headers(Content_Length=" 1200 ")) == 1200
    assert http_download.content_length(headers(Content_Length="-1")) is None
    assert http_download.content_length(headers()) is None
    assert http_download.progress(1200, 5000) == "1,200 of 5,000 bytes"
    assert http_download.progress(1200, None) == "1,200 bytes"


def test_a_host_is_keyed_with_its_port():
    key = http_download.host_key
    assert key(urllib.parse.urlsplit("https://SLMPD.org/a")) == "slmpd.org"
    assert key(urllib.parse.urlsplit("http://127.0.0.1:8080/a")) == "127.0.0.1:8080"
