"""`build_data.py fetch` against a real HTTP server on 127.0.0.1 serving the repository's own data/ folder."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from crimesite import build, config, fetch, paths, sources

DATA = paths.ROOT / "data"
LEGACY = ("january2019.csv.gz", "february2019.csv.gz", "march2019.csv.gz")
JANUARY = datetime(2026, 1, 5, 6, 0, 0, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 5, 6, 0, 0, tzinfo=UTC)


class Server:
    """What the test server serves and what it was asked. Paths under /files/ come from the repository's data/ folder
    (or from `overrides`); /drop/ sends half of a file and hangs up; /flaky/ fails once with a 500 first."""

    def __init__(self, root: Path):
        self.root = root
        self.overrides: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.failed_once: set[str] = set()
        self.lock = threading.Lock()
        self.url = ""

    def body(self, name: str) -> bytes | None:
        if name in self.overrides:
            return self.overrides[name]
        path = (self.root / name).resolve()
        return path.read_bytes() if path.is_relative_to(self.root) and path.is_file() else None

    def paths_asked(self) -> list[str]:
        return [path for path, _ in self.requests]


def make_handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with server.lock:
                server.requests.append((self.path, dict(self.headers)))
            kind, _, name = self.path.lstrip("/").partition("/")
            body = server.body(name)
            if kind == "flaky" and name not in server.failed_once:
                server.failed_once.add(name)
                return self.send_error(500)
            if body is None or kind not in ("files", "drop", "flaky", "html"):
                return self.send_error(404)
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                return self.end_headers()
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if kind == "html" else "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", formatdate(0, usegmt=True))
            self.end_headers()
            if kind == "drop":
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return None
            self.wfile.write(body)
            return None

        def log_message(self, format: str, *args) -> None:
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(DATA)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def fetch_config(folder: Path, files: list[dict], retries: int = 0) -> config.Fetch:
    return config.parse_fetch({"folder": str(folder), "timeout_seconds": 10, "retries": retries, "files": files},
                              Path("/"))  # fmt: skip


def legacy_files(url: str, months: tuple[str, ...] = LEGACY, kind: str = "files") -> list[dict]:
    return [{"url": f"{url}/{kind}/raw/legacy/{name}", "to": f"raw/{name}"} for name in months]


def place_files(url: str) -> list[dict]:
    return [
        {"url": f"{url}/files/reference/neighborhoods.csv", "to": "reference/neighborhoods.csv"},
        {"url": f"{url}/files/reference/neighborhoods.geojson", "to": "reference/neighborhoods.geojson"},
        {"url": f"{url}/files/reference/districts.geojson", "to": "reference/districts.geojson"},
    ]


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under the folder with its bytes and modification time."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def run(fetch_settings: config.Fetch, clock: datetime = JANUARY) -> fetch.Summary:
    return fetch.run(fetch_settings, fetch_settings.folder / "raw", backoff_seconds=0, clock=lambda: clock)


def manifest(folder: Path) -> list[dict]:
    return json.loads((folder / "manifest.json").read_text())["files"]


def test_a_first_fetch_brings_each_file_as_served_and_lists_it_in_the_manifest(tmp_path, server):
    data = tmp_path / "data"
    summary = run(fetch_config(data, legacy_files(server.url) + place_files(server.url)))
    assert (summary.new, summary.changed, summary.unchanged) == (6, 0, 0)
    served = DATA
    expected = {f"raw/{name}": served / "raw" / "legacy" / name for name in LEGACY} | {
        name: served / name
        for name in ("reference/neighborhoods.csv", "reference/neighborhoods.geojson", "reference/districts.geojson")
    }
    for path, source in expected.items():
        assert (data / path).read_bytes() == source.read_bytes(), path
    entries = manifest(data)
    assert [entry["path"] for entry in entries] == sorted(expected)
    for entry in entries:
        source = expected[entry["path"]]
        assert entry["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry["bytes"] == source.stat().st_size
        assert entry["retrieved_at"] == "2026-01-05T06:00:00Z"
        assert entry["url"].endswith(source.relative_to(served).as_posix())
    text = (data / "manifest.json").read_text()
    assert text == json.dumps({"files": entries}, indent=2) + "\n"
    assert list(entries[0])[:5] == ["path", "url", "sha256", "bytes", "retrieved_at"]
    assert not (tmp_path / ".cache" / "fetch").exists()


def test_a_second_fetch_with_nothing_new_rewrites_nothing(tmp_path, server):
    data = tmp_path / "data"
    settings = fetch_config(data, legacy_files(server.url) + place_files(server.url))
    run(settings)
    before = snapshot(data)
    server.requests.clear()
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 0, 6)
    assert snapshot(data) == before
    # each file was asked for conditionally (the server answered 304 Not Modified)
    assert len(server.requests) == 6
    assert all("If-None-Match" in headers and "If-Modified-Since" in headers for _, headers in server.requests)


def test_a_file_present_with_the_same_content_is_kept_and_listed(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    source = legacy_dir / LEGACY[0]
    (data / "raw").mkdir(parents=True)
    (data / "raw" / LEGACY[0]).write_bytes(source.read_bytes())
    mtime = (data / "raw" / LEGACY[0]).stat().st_mtime_ns
    summary = run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert (summary.new, summary.unchanged) == (0, 1)
    assert (data / "raw" / LEGACY[0]).stat().st_mtime_ns == mtime
    assert manifest(data)[0]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_file_changed_upstream_is_replaced_and_the_others_are_left(tmp_path, server):
    data = tmp_path / "data"
    settings = fetch_config(data, legacy_files(server.url))
    run(settings)
    before, entries_before = snapshot(data), {entry["path"]: entry for entry in manifest(data)}
    new_content = b"Complaint,CodedMonth\n19-1,2019-02\n"
    server.overrides["raw/legacy/february2019.csv.gz"] = new_content
    summary = run(settings, clock=FEBRUARY)
    assert (summary.new, summary.changed, summary.unchanged) == (0, 1, 2)
    after = snapshot(data)
    assert after["raw/february2019.csv.gz"][0] == new_content
    for name in ("raw/january2019.csv.gz", "raw/march2019.csv.gz"):
        assert after[name] == before[name]
    entries = {entry["path"]: entry for entry in manifest(data)}
    assert entries["raw/february2019.csv.gz"]["sha256"] == hashlib.sha256(new_content).hexdigest()
    assert entries["raw/february2019.csv.gz"]["bytes"] == len(new_content)
    assert entries["raw/february2019.csv.gz"]["retrieved_at"] == "2026-02-05T06:00:00Z"
    assert entries["raw/january2019.csv.gz"] == entries_before["raw/january2019.csv.gz"]


def failed_run(settings: config.Fetch) -> list[str]:
    with pytest.raises(fetch.FetchError) as caught:
        run(settings)
    return caught.value.problems


def test_a_404_stops_the_fetch_and_changes_nothing(tmp_path, server):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    before = snapshot(data)
    server.overrides["raw/legacy/january2019.csv.gz"] = b"changed upstream"
    missing = f"{server.url}/files/raw/legacy/january2031.csv.gz"
    files = legacy_files(server.url) + place_files(server.url) + [{"url": missing, "to": "raw/january2031.csv"}]
    server.requests.clear()
    problems = failed_run(fetch_config(data, files, retries=2))
    assert problems == [f"{missing}: HTTP 404 Not Found"]
    assert server.paths_asked().count("/files/raw/legacy/january2031.csv.gz") == 1  # a 4xx is not retried
    assert snapshot(data) == before  # the files that did come through in this run were not moved in either
    assert not (tmp_path / ".cache" / "fetch").exists()


def test_a_dropped_connection_names_the_url_and_the_bytes_received(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    run(fetch_config(data, place_files(server.url)))
    before = snapshot(data)
    size = (legacy_dir / LEGACY[1]).stat().st_size
    files = legacy_files(server.url, LEGACY[:1]) + legacy_files(server.url, LEGACY[1:2], kind="drop")
    server.requests.clear()
    problems = failed_run(fetch_config(data, files, retries=1))
    [problem] = problems
    assert problem.startswith(f"{server.url}/drop/raw/legacy/{LEGACY[1]}: connection dropped")
    assert f"received {size // 2:,} of {size:,} bytes (2 attempts)" in problem
    assert snapshot(data) == before


def test_a_500_is_tried_again(tmp_path, server, legacy_dir):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1], kind="flaky"), retries=1))
    assert server.paths_asked() == [f"/flaky/raw/legacy/{LEGACY[0]}"] * 2
    assert (data / "raw" / LEGACY[0]).read_bytes() == (legacy_dir / LEGACY[0]).read_bytes()


def test_a_web_page_in_place_of_the_file_is_refused(tmp_path, server):
    problems = failed_run(fetch_config(tmp_path / "data", legacy_files(server.url, LEGACY[:1], kind="html")))
    page = f"{server.url}/html/raw/legacy/{LEGACY[0]}"
    assert problems == [f"{page}: the server sent a web page (text/html), not the file"]
    assert not (tmp_path / "data").exists()


def test_no_server_at_all_is_one_line_per_file(tmp_path):
    url = unused_port_url()
    problems = failed_run(fetch_config(tmp_path / "data", legacy_files(url, LEGACY[:2])))
    assert [problem.split(": ")[0] for problem in problems] == [f"{url}/files/raw/legacy/{n}" for n in LEGACY[:2]]
    assert all("cannot connect" in problem for problem in problems)


def unused_port_url() -> str:
    """The URL of a port on 127.0.0.1 that nothing listens on (taken, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def copy_sample(sample: Path, raw: Path, names: list[str]) -> None:
    """Some of the sample files, copied into a raw folder with a SAMPLE.sha256 that lists them."""
    raw.mkdir(parents=True, exist_ok=True)
    lines = []
    for name in names:
        content = (sample / name).read_bytes()
        (raw / name).write_bytes(content)
        lines.append(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
    (raw / "SAMPLE.sha256").write_text("".join(lines))


def test_real_raw_files_replace_the_bundled_sample(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv", "february2019.csv"])
    (data / "raw" / "notes.txt").write_text("mine")
    summary = run(fetch_config(data, legacy_files(server.url)))
    assert summary.sample_removed == 3
    assert sorted(p.name for p in (data / "raw").iterdir()) == sorted([*LEGACY, "notes.txt"])


def test_the_sample_stays_when_only_reference_files_are_fetched(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv"])
    run(fetch_config(data, place_files(server.url)))
    assert sorted(p.name for p in (data / "raw").iterdir()) == ["SAMPLE.sha256", "january2019.csv"]


def test_a_sample_file_that_was_edited_is_left(tmp_path, server, sample_raw):
    data = tmp_path / "data"
    copy_sample(sample_raw, data / "raw", ["january2019.csv", "february2019.csv"])
    (data / "raw" / "february2019.csv").write_bytes(b"edited by hand")
    run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert sorted(p.name for p in (data / "raw").iterdir()) == ["february2019.csv", LEGACY[0]]


def test_a_failed_move_puts_everything_back(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "raw").mkdir(parents=True)
    (data / "raw" / "a.csv").write_text("old a")
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "a").write_text("new a")
    (staged / "b").write_text("new b")
    before = snapshot(data)
    real_move = fetch.shutil.move

    def failing_move(source, destination):
        if Path(source) == staged / "b":
            raise OSError("disk full")
        return real_move(source, destination)

    monkeypatch.setattr(fetch.shutil, "move", failing_move)
    moves = [(staged / "a", data / "raw" / "a.csv"), (staged / "b", data / "raw" / "new" / "b.csv")]
    with pytest.raises(fetch.FetchError) as caught:
        fetch.apply_moves(moves, tmp_path / "backup")
    assert caught.value.problems == [f"{data / 'raw' / 'new' / 'b.csv'}: cannot move into place (disk full); "
                                     "nothing was changed"]  # fmt: skip
    assert snapshot(data) == before
    assert not (data / "raw" / "new").exists()


def test_a_broken_manifest_stops_the_fetch(tmp_path, server):
    data = tmp_path / "data"
    data.mkdir()
    (data / "manifest.json").write_text('{"files": [{"path": "raw/x.csv"}]}')
    problems = failed_run(fetch_config(data, legacy_files(server.url, LEGACY[:1])))
    assert problems[0].startswith(f"{data / 'manifest.json'}: not a fetch manifest")
    assert sorted(p.name for p in data.iterdir()) == ["manifest.json"]


def test_fetched_legacy_and_place_files_build(tmp_path, server, site_config):
    data = tmp_path / "data"
    run(fetch_config(data, legacy_files(server.url) + place_files(server.url)))
    reference = data / "reference"
    built = config.with_place_files(
        site_config, reference / "neighborhoods.csv", reference / "neighborhoods.geojson",
        reference / "districts.geojson",
    )  # fmt: skip
    build.run([data / "raw"], build_dir=tmp_path / "build", site_dir=None, config=built)
    docs = tmp_path / "build" / "docs"
    assert "Carondelet" in (docs / "neighborhoods" / "index.md").read_text()
    generated = yaml.safe_load((tmp_path / "build" / "mkdocs.generated.yml").read_text())
    assert generated["extra"] == {"sample_data": False, "data_through": "March 2019"}


# --- the command line ---------------------------------------------------------------------------------------


def write_site_config(root: Path, files: list[dict]) -> Path:
    """A copy of site.yml whose fetch section names the test server's files; paths are relative to `root`."""
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["fetch"] = {"folder": "data", "timeout_seconds": 10, "retries": 0, "files": files}
    path = root / "site.yml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(paths.ROOT / "build_data.py"), *args], capture_output=True,
                          text=True, check=False, env={**os.environ, "GITHUB_ACTIONS": ""})  # fmt: skip


def test_the_cli_fetches_and_logs_a_summary(tmp_path, server):
    site = write_site_config(tmp_path, legacy_files(server.url, LEGACY[:2]))
    result = run_cli("fetch", "--config", str(site))
    assert result.returncode == 0, result.stderr
    assert "fetch: 2 new, 0 changed, 0 unchanged" in result.stderr
    assert sorted(p.name for p in (tmp_path / "data" / "raw").iterdir()) == sorted(LEGACY[:2])
    result = run_cli("fetch", "--config", str(site), "--quiet")
    assert (result.returncode, result.stderr) == (0, "")


def test_the_cli_reports_each_failure_on_one_line_and_exits_1(tmp_path, server):
    missing = f"{server.url}/files/none.csv"
    files = [*legacy_files(server.url, LEGACY[:1]), {"url": missing, "to": "raw/none.csv"}]
    result = run_cli("fetch", "--config", str(write_site_config(tmp_path, files)))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [f"error: {missing}: HTTP 404 Not Found"]
    assert result.stderr.splitlines()[-1] == f"fetch stopped: 1 problem(s); {tmp_path / 'data'} was not changed"
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()


def test_the_cli_refuses_build_options_with_fetch():
    result = run_cli("fetch", "--raw", "data/raw")
    assert result.returncode == 2
    assert "fetch takes only --config and --quiet" in result.stderr


def test_the_cli_reports_a_bad_config_file(tmp_path):
    bad = tmp_path / "site.yml"
    bad.write_text("city: [unclosed\n")
    for command in ([], ["fetch"]):
        result = run_cli(*command, "--config", str(bad))
        assert result.returncode == 1
        assert result.stderr.startswith(f"error: {bad}: ")


# --- the fetch section of site.yml --------------------------------------------------------------------------


def test_the_repository_config_fetches_the_nibrs_months_it_lacks_and_the_boundaries(site_config, context):
    downloads = config.fetch_downloads(site_config.fetch)
    by_path = {download.path: download.url for download in downloads}
    raw = [path for path in by_path if path.startswith("raw/")]
    assert raw and all(path.startswith("raw/nibrs/") for path in raw)
    assert by_path["raw/nibrs/2024-12.csv"] == "https://slmpd.org/wp-content/uploads/2025/01/December2024.csv"
    assert site_config.fetch.manifest == paths.ROOT / "data" / "manifest.json"
    places = site_config.places
    for path in (places.neighborhood_boundaries, places.district_boundaries):
        assert path.relative_to(site_config.fetch.folder).as_posix() in by_path
    assert all((site_config.fetch.folder / path).is_relative_to(site_config.raw_dir) for path in raw)
    # no fetched month is one that data/raw/ already holds: the build would get two files for that month
    held = {month for info in sources.load(sources.discover([paths.RAW_DIR]), context)[1] for month in info.covers}
    fetched = {path.removeprefix("raw/nibrs/").removesuffix(".csv") for path in raw}
    assert len(fetched) == len(raw) and min(fetched) == "2024-05" and not fetched & held


def fetch_section(**changes) -> dict:
    section = {"folder": "data", "timeout_seconds": 5, "retries": 1,
               "files": [{"url": "https://x/{Month}{year}.CSV", "to": "raw/{month}{year}.csv",
                          "months": ["2019-11", "2020-02"]}]}  # fmt: skip
    return section | changes


def test_month_templates_expand_for_each_month():
    fetch_settings = config.parse_fetch(fetch_section(), Path("/site"))
    assert fetch_settings.folder == Path("/site/data")
    assert [d.path for d in config.fetch_downloads(fetch_settings)] == [
        "raw/november2019.csv", "raw/december2019.csv", "raw/january2020.csv", "raw/february2020.csv"
    ]  # fmt: skip
    assert config.fetch_downloads(fetch_settings)[1].url == "https://x/December2019.CSV"
    assert config.month_values("2019-12") == {"year": "2019", "month": "december", "Month": "December",
                                                   "mm": "12", "next_year": "2020", "next_mm": "01"}  # fmt: skip


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([{"url": "u", "to": "../outside.csv"}], "inside the fetch folder"),
        ([{"url": "u", "to": "/etc/x.csv"}], "inside the fetch folder"),
        ([{"url": "u", "to": "manifest.json"}], "inside the fetch folder"),
        ([{"url": "u", "to": "raw/a.csv"}, {"url": "v", "to": "raw/./a.csv"}], "two entries download to 'raw/a.csv'"),
        ([{"url": "u/{year}", "to": "raw/x.csv", "months": ["2019-01", "2019-02"]}], "two entries"),
        ([{"url": "u", "to": "raw/{year}.csv"}], "has placeholders but the entry has no months"),
        ([{"url": "u/{yy}", "to": "raw/{year}.csv", "months": ["2019-01", "2019-02"]}], "unknown placeholder.*yy"),
        ([{"url": "u", "to": "raw/{year}.csv", "months": ["2019-13", "2020-01"]}], "months must be"),
        ([{"url": "u", "to": "raw/{year}.csv", "months": ["2020-01", "2019-01"]}], "run backwards"),
        ([{"url": "u", "to": "raw/a.csv", "mirror": "w"}], r"unknown key.*fetch.files.*mirror"),
        ([{"url": "u"}], r"missing key.*fetch.files.*to"),
    ],
)
def test_bad_fetch_entries_are_refused(files, message):
    with pytest.raises(ValueError, match=message):
        config.parse_fetch(fetch_section(files=files), Path("/site"))


def test_bad_fetch_settings_are_refused():
    with pytest.raises(ValueError, match="retries"):
        config.parse_fetch(fetch_section(retries=-1), Path("/site"))
    with pytest.raises(ValueError, match=r"unknown key.*fetch.*user_agent"):
        config.parse_fetch(fetch_section(user_agent="x"), Path("/site"))
