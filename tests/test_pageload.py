"""benchmarks/pageload.py, the parts that do not depend on timing: its gzip server, the CLS and TBT arithmetic,
the choice of pages, and (in Chromium) which SVGs its first-chart detector takes for a chart on screen."""

from __future__ import annotations

import gzip
import http.client
import sys
from pathlib import Path

import pytest

from crimesite import paths

sys.path.insert(0, str(paths.ROOT / "benchmarks"))
import pageload  # benchmarks/ is not a package: on the path above

PAGE = "<!doctype html><title>t</title><p>" + "crime data " * 200 + "</p>"
SCRIPT = "console.log('" + "x" * 2000 + "');"
PNG = bytes(range(256)) * 8


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    (root / "crimes" / "homicide").mkdir(parents=True)
    (root / "index.html").write_text(PAGE, encoding="utf-8")
    (root / "crimes" / "homicide" / "index.html").write_text(PAGE.replace("crime", "homicide"), encoding="utf-8")
    (root / "app.js").write_text(SCRIPT, encoding="utf-8")
    (root / "image.png").write_bytes(PNG)
    (root / "404.html").write_text("<p>no such page</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    return root


def fetch(base: str, path: str, method: str = "GET", encoding: str | None = "gzip, deflate, br"):
    """One request over HTTP/1.1: (status, headers, body as sent)."""
    host, port = base.removeprefix("http://").rstrip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        connection.request(method, path, headers={"Accept-Encoding": encoding} if encoding else {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_server_gzips_text_for_a_browser_and_sends_it_plain_otherwise(site: Path) -> None:
    with pageload.serve(site) as base:
        status, headers, body = fetch(base, "/app.js")
        assert status == 200
        assert headers["content-encoding"] == "gzip"
        assert int(headers["content-length"]) == len(body) < len(SCRIPT)
        assert gzip.decompress(body).decode() == SCRIPT
        assert fetch(base, "/app.js")[2] == body  # compressed once, the same bytes again

        status, headers, body = fetch(base, "/app.js", encoding=None)
        assert "content-encoding" not in headers
        assert body.decode() == SCRIPT and int(headers["content-length"]) == len(body)
        assert "content-encoding" not in fetch(base, "/app.js", encoding="gzip;q=0")[1]

        status, headers, body = fetch(base, "/image.png")  # compressed already: sent as it is
        assert "content-encoding" not in headers and body == PNG


def test_server_serves_folders_as_their_index_and_nothing_outside_the_site(site: Path) -> None:
    with pageload.serve(site) as base:
        status, headers, body = fetch(base, "/crimes/homicide/")
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert gzip.decompress(body).decode() == PAGE.replace("crime", "homicide")
        assert gzip.decompress(fetch(base, "/")[2]).decode() == PAGE

        status, headers, _ = fetch(base, "/crimes/homicide")
        assert (status, headers["location"]) == (301, "/crimes/homicide/")

        for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/%00"):
            status, headers, body = fetch(base, path, encoding=None)
            assert status == 404 and b"outside" not in body, path
        assert fetch(base, "/nothing/", encoding=None)[:3:2] == (404, b"<p>no such page</p>")

        status, headers, body = fetch(base, "/app.js", method="HEAD")
        assert status == 200 and body == b"" and int(headers["content-length"]) > 0


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("*", True),
        ("*;q=0, gzip", True),
        ("gzip;q=0, *", False),
        ("gzip; q=0.0", False),
        ("br", False),
        ("", False),
    ],
)
def test_accepts_gzip(header: str, accepted: bool) -> None:
    assert pageload.accepts_gzip(header) is accepted


def shift(start: float, value: float, input_: bool = False) -> dict[str, object]:
    return {"startTime": start, "value": value, "hadRecentInput": input_}


def test_cls_is_the_largest_session_window() -> None:
    assert pageload.cumulative_layout_shift([]) == 0
    # Two windows, split by a gap of more than 1 s: the larger one counts, not the sum.
    two = [shift(100, 0.1), shift(600, 0.1), shift(2000, 0.15), shift(2500, 0.1)]
    assert pageload.cumulative_layout_shift(two) == pytest.approx(0.25)
    # A shift right after input does not count (and does not join the windows around it).
    assert pageload.cumulative_layout_shift([shift(0, 0.1), shift(500, 0.9, input_=True)]) == pytest.approx(0.1)
    # Shifts 0.9 s apart for 9 s: a window stops 5 s after its first shift (0 to 4.5 s: six shifts).
    steady = [shift(900 * i, 0.01) for i in range(11)]
    assert pageload.cumulative_layout_shift(steady) == pytest.approx(0.06)


def test_tbt_counts_long_tasks_beyond_50_ms_after_fcp() -> None:
    tasks = [
        {"startTime": 0, "duration": 300},  # ends at 300, FCP 200: 100 ms after it, 50 of them blocking
        {"startTime": 400, "duration": 120},  # 70 blocking
        {"startTime": 600, "duration": 40},  # not long (the browser reports only > 50 ms; still counts 0)
        {"startTime": 100, "duration": 60},  # over before FCP
    ]
    assert pageload.total_blocking_time(tasks, fcp=200) == pytest.approx(120)


YEARS = """<table><thead><tr><th>Year</th><th>Months in data</th><th>Part I total</th></tr></thead><tbody>
<tr><td><a href="2024/">2024</a></td><td>4</td><td>5,432</td></tr>
<tr><td>2021–2023</td><td>no files</td><td>no files</td></tr>
<tr><td><a href="2020/">2020</a></td><td>12</td><td>23,635</td></tr>
<tr><td><a href="2019/">2019</a></td><td>12</td><td>24,544</td></tr></tbody></table>"""


def test_pages_are_chosen_the_same_way_every_time(tmp_path: Path) -> None:
    assert pageload.latest_full_year(YEARS) == 2020  # 2024 has 4 months only
    assert pageload.latest_full_year("<p>no table</p>") is None
    folders = ["crimes/homicide", "years/2019", "years/2020", "years/2024", "weekly", "maps", "claims"]
    folders += ["neighborhoods/10-ellendale", "neighborhoods/2-patch", "districts/3", "districts/10"]
    for folder in ["", *folders]:
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "index.html").write_text("<p>page</p>", encoding="utf-8")
    (tmp_path / "years" / "index.html").write_text(YEARS, encoding="utf-8")
    pages = pageload.find_pages(tmp_path)
    assert pages["year"] == "years/2020/"
    assert (pages["neighborhood"], pages["district"]) == ("neighborhoods/2-patch/", "districts/3/")
    (tmp_path / "claims" / "index.html").unlink()
    with pytest.raises(ValueError, match="claims/"):
        pageload.find_pages(tmp_path)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="100"><rect width="300" height="100"/></svg>'
CHART_PAGES = {
    "static": '<figure class="chart"><div class="chart-view" role="img">'
    f'<div class="chart-static">{SVG}</div></div></figure>',
    "drawn": '<figure class="chart"><div class="chart-view"></div></figure><script>'
    'requestAnimationFrame(() => setTimeout(() => { document.querySelector(".chart-view").innerHTML ='
    f" '{SVG}'; }}, 50));</script>",
    "noscript": f'<figure class="chart"><div class="chart-view"></div><noscript>{SVG}</noscript></figure>',
    "hidden": f'<figure class="chart"><div style="visibility: hidden">{SVG}</div></figure>',
    "undisplayed": f'<figure class="chart"><div style="display: none">{SVG}</div></figure>',
    "outside": f"<p>text</p>{SVG}",
}


@pytest.mark.browser
def test_first_chart_is_an_svg_in_a_chart_that_is_laid_out_and_visible(chromium, tmp_path: Path) -> None:
    for name, body in CHART_PAGES.items():
        (tmp_path / f"{name}.html").write_text(f"<!doctype html><title>{name}</title>{body}", encoding="utf-8")
    with pageload.serve(tmp_path) as base:
        context = chromium.new_context()
        try:
            page = context.new_page()
            page.add_init_script(pageload.INIT_SCRIPT)
            for name in ("static", "drawn"):
                page.goto(f"{base}{name}.html")
                page.wait_for_function("window.__pageload.firstChart !== null")
            for name in ("noscript", "hidden", "undisplayed", "outside"):
                page.goto(f"{base}{name}.html", wait_until="load")
                # Two frames after load: any frame the detector asked for has run.
                page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
                assert page.evaluate("window.__pageload.firstChart") is None, name
        finally:
            context.close()
