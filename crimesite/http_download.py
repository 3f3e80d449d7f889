"""One file over HTTP(S) into a staging file: a GET with the manifest's validators (a conditional request),
retried after connection errors, truncation and 5xx, within size and time limits (one deadline per file, enforced
on every read of the socket), stored exactly as served (no transfer compression), and redirected only to the same
host (or to the hosts fetch.allowed_hosts lists) and never from https to http."""

from __future__ import annotations

import functools
import hashlib
import http.client
import io
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from crimesite.config import Fetch
from crimesite.manifest import Entry

log = logging.getLogger(__name__)

USER_AGENT = "crimesite-fetch/1.0 (St. Louis crime data site; Python urllib)"
CHUNK_BYTES = 1 << 16


class DownloadError(Exception):
    """One attempt at one file failed; `retry` says whether another attempt could help."""

    def __init__(self, message: str, retry: bool):
        self.retry = retry
        super().__init__(message)


class NoNetwork(Exception):
    """A host name did not resolve: the network (or its name service) is down, so no other file is tried."""


class DeadlineExceeded(Exception):
    """The file's deadline passed while waiting for bytes (not an OSError, so nothing on the way wraps it)."""


@dataclass(frozen=True)
class Received:
    """A complete 200 response, saved in the staging folder."""

    sha256: str
    size: int
    etag: str | None
    last_modified: str | None
    content_type: str | None = None


def request_headers(conditional: Entry | None) -> dict[str, str]:
    # identity: the file is stored exactly as published, never as a compressed transfer
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if conditional is not None and conditional.etag:
        headers["If-None-Match"] = conditional.etag
    if conditional is not None and conditional.last_modified:
        headers["If-Modified-Since"] = conditional.last_modified
    return headers


def download_with_retries(
    url: str, headers: dict[str, str], target: Path, fetch: Fetch, backoff: float, page: bool = False
) -> Received | None:
    """download_once, tried again after connection errors, truncation and 5xx (not 4xx), waiting longer each time,
    all within one deadline for the file (`page`: a web page is what is asked for)."""
    deadline = time.monotonic() + fetch.deadline_seconds
    attempts = 0
    while True:
        try:
            return download_once(url, headers, target, fetch, deadline, page)
        except DownloadError as error:
            attempts += 1
            wait = backoff * 2 ** (attempts - 1)
            if not error.retry or attempts > fetch.retries or time.monotonic() + wait >= deadline:
                tries = f" ({attempts} attempts)" if attempts > 1 else ""
                raise DownloadError(f"{error}{tries}", retry=False) from None
            log.info("retrying %s: %s", url, error)
            time.sleep(wait)


def download_once(
    url: str, headers: dict[str, str], target: Path, fetch: Fetch, deadline: float, page: bool = False
) -> Received | None:
    """One GET into `target`. None for 304 Not Modified; DownloadError for anything short of the whole file, for
    a file over fetch.max_bytes, past the deadline or redirected elsewhere; NoNetwork when the host is unknown."""
    request = urllib.request.Request(url, headers=headers)
    expected: int | None = None
    remaining = deadline - time.monotonic()
    try:
        if remaining <= 0:
            raise DeadlineExceeded
        with make_opener(fetch, deadline).open(request, timeout=min(fetch.timeout_seconds, remaining)) as response:
            check_response(response.headers, page)
            expected = content_length(response.headers)
            if expected is not None and expected > fetch.max_bytes:
                raise DownloadError(f"the server announces {expected:,} bytes, {over_limit(fetch)}", retry=False)
            sha256 = save_body(response, target, fetch)
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            content_type = response.headers.get("Content-Type")
    except DeadlineExceeded:
        received = target.stat().st_size if target.exists() else 0
        raise DownloadError(
            f"not received within fetch.deadline_seconds ({fetch.deadline_seconds:g} s): "
            f"{progress(received, expected)} came; stopped",
            retry=False,
        ) from None
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return None
        raise DownloadError(f"HTTP {error.code} {error.reason}", retry=error.code >= 500) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, socket.gaierror):
            host = urllib.parse.urlsplit(url).hostname
            raise NoNetwork(f"cannot resolve the host name {host} ({error.reason.strerror})") from None
        raise DownloadError(f"cannot connect: {error.reason}", retry=True) from None
    except (OSError, http.client.HTTPException) as error:
        received = target.stat().st_size if target.exists() else 0
        raise DownloadError(f"connection failed after {progress(received, expected)}: {error!r}", retry=True) from None
    size = target.stat().st_size
    if expected is not None and size != expected:
        raise DownloadError(f"connection dropped: received {progress(size, expected)}", retry=True)
    if size == 0:
        raise DownloadError("the server sent an empty file", retry=False)
    return Received(sha256, size, etag, modified, content_type)


def save_body(response: http.client.HTTPResponse, target: Path, fetch: Fetch) -> str:
    """The response's body into `target`, up to fetch.max_bytes; its SHA-256."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as sink:
        # read1: what has arrived, not a full chunk (DeadlineReader ends any wait for bytes at the deadline)
        while chunk := response.read1(CHUNK_BYTES):
            size += len(chunk)
            if size > fetch.max_bytes:
                raise DownloadError(f"stopped after {size:,} bytes, {over_limit(fetch)}", retry=False)
            sink.write(chunk)
            digest.update(chunk)
    return digest.hexdigest()


def check_response(headers, page: bool = False) -> None:
    encoding = headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise DownloadError(f"sent with Content-Encoding {encoding}, not as published", retry=False)
    if not page and headers.get("Content-Type", "").strip().lower().startswith("text/html"):
        raise DownloadError("the server sent a web page (text/html), not the file", retry=False)


def over_limit(fetch: Fetch) -> str:
    return f"more than fetch.max_bytes ({fetch.max_bytes:,}) allows"


def content_length(headers) -> int | None:
    value = headers.get("Content-Length")
    return int(value) if value is not None and value.strip().isdigit() else None


def progress(received: int, expected: int | None) -> str:
    return f"{received:,} of {expected:,} bytes" if expected is not None else f"{received:,} bytes"


# --- connections: redirects and the deadline ---------------------------------------------------------------


def make_opener(fetch: Fetch, deadline: float) -> urllib.request.OpenerDirector:
    """An opener whose connections end by `deadline` and whose redirects keep to the file's own host."""
    return urllib.request.build_opener(
        DeadlineHTTPHandler(deadline), DeadlineHTTPSHandler(deadline), SameHostRedirects(fetch.allowed_hosts)
    )


def host_key(url: urllib.parse.SplitResult) -> str:
    """The host, with its port when one is given (`slmpd.org`, `127.0.0.1:8080`), in lower case."""
    host = (url.hostname or "").lower()
    return host if url.port is None else f"{host}:{url.port}"


def redirect_problem(source: str, target: str, allowed_hosts: tuple[str, ...]) -> str | None:
    """Why a redirect from `source` to `target` is refused, or None: it must not leave https (an http address
    may go to https or stay on http) and must keep to the host and port, unless fetch.allowed_hosts names it."""
    old, new = urllib.parse.urlsplit(source), urllib.parse.urlsplit(target)
    if new.scheme != "https" and not (old.scheme == new.scheme == "http"):
        return f"refused, from {old.scheme} to {new.scheme}"
    if host_key(new) == host_key(old) or host_key(new) in allowed_hosts:
        return None
    other = "port" if (new.hostname or "").lower() == (old.hostname or "").lower() else "host"
    return f"refused, another {other} ({host_key(new)}); fetch.allowed_hosts in site.yml lists the hosts allowed"


class SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed_hosts: tuple[str, ...]):
        super().__init__()
        self.allowed_hosts = allowed_hosts

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        problem = redirect_problem(req.full_url, newurl, self.allowed_hosts)
        if problem is not None:
            fp.close()
            raise DownloadError(f"HTTP {code} redirect to {newurl} {problem}", retry=False)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class DeadlineReader(io.RawIOBase):
    """A socket's bytes, each wait for them cut short at the deadline (time.monotonic())."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float | None):
        super().__init__()
        self._sock, self._deadline, self._timeout = sock, deadline, timeout
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open until this is closed

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded
        self._sock.settimeout(remaining if self._timeout is None else min(self._timeout, remaining))
        try:
            return self._raw.readinto(buffer)
        except TimeoutError:
            if time.monotonic() >= self._deadline:
                raise DeadlineExceeded from None
            raise

    def close(self) -> None:
        self._raw.close()
        super().close()


class DeadlineSocket:
    """A connected socket whose reads (the status line, headers and body) all end by the deadline."""

    def __init__(self, sock: socket.socket, deadline: float, timeout: float | None):
        self._sock, self._deadline, self._timeout = sock, deadline, timeout

    def makefile(self, mode: str = "r", *args, **kwargs):
        if mode != "rb":  # http.client reads its responses through makefile("rb") only
            return self._sock.makefile(mode, *args, **kwargs)
        return io.BufferedReader(DeadlineReader(self._sock, self._deadline, self._timeout))

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class DeadlineConnection(http.client.HTTPConnection):
    def __init__(self, *args, deadline: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def connect(self) -> None:
        super().connect()
        self.sock = DeadlineSocket(self.sock, self.deadline, self.timeout)


class DeadlineHTTPSConnection(DeadlineConnection, http.client.HTTPSConnection):
    pass


class DeadlineHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(DeadlineConnection, deadline=self.deadline), req)


class DeadlineHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float):
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):
        connection = functools.partial(DeadlineHTTPSConnection, deadline=self.deadline)
        return self.do_open(connection, req, context=self._context)
