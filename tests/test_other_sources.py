"""The second source (site.yml `other_sources:`): its file, the verdicts against it, the crime pages' column and
chart layer, the goal baseline, and the claims page of the real build. Small frames are worked out by hand."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from crimesite import build, charts, claims, config, metrics, other_sources, paths
from crimesite.errors import DataError

SOURCE = config.OtherSource(
    "Index of test figures", "State UCR (test)", "https://example.org/", "test figures", Path("figures.csv")
)
HEADER = ",".join(other_sources.COLUMNS)


def figures(rows: list[tuple[int, str, int, str]], months: int = 12) -> other_sources.OtherFigures:
    """OtherFigures from (year, measure, value, as_of) rows, as load_figures makes them."""
    table = pd.DataFrame([("t", y, m, v, months, a, "f") for y, m, v, a in rows], columns=other_sources.COLUMNS)
    return other_sources.OtherFigures(SOURCE, other_sources.newest_whole_years(table), table, b"")


def claim(**fields) -> claims.Claim:
    base = dict(
        id="x",
        statement="s",
        measure="count",
        category="homicide",
        year=2022,
        base_year=None,
        figure=201.0,
        who="City",
        said_on="",
        source="press",
        url="",
        note="",
    )
    return claims.Claim(**{**base, **fields})


def legacy_years(*years: int) -> metrics.Coverage:
    return metrics.coverage({f"{y}-{m:02d}" for y in years for m in range(1, 13)}, "2021-01")


NO_ROWS = pd.DataFrame(columns=["year", "category", "count"])
NO_CRIMES = pd.DataFrame(columns=["year", "category", "firearm", "count"])


def test_a_count_with_no_raw_files_is_checked_against_the_other_source(categories):
    other = figures([(2022, "homicide", 200, "2024-10-15")])
    result = claims.check(claim(), NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert (result.verdict, result.computed) == ("not checkable", None)
    assert result.reason == "not in SLMPD's files in this build (2022)"
    assert (result.other.verdict, result.other.computed) == ("close", 200.0)  # 1 off 201: within 2 crimes
    assert result.other.reason.startswith("the State UCR (test) figure is 200, copy of 2024-10-15")
    assert (
        claims.check(
            claim(figure=200), NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other
        ).other.verdict
        == "matches"
    )
    far = claims.check(claim(figure=230), NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert far.other.verdict == "differs" and "it counts 30 crimes fewer" in far.other.reason


def test_both_sources_get_their_own_verdict_and_are_never_added(categories):
    data = pd.DataFrame([(2019, "homicide", 194)], columns=["year", "category", "count"])
    other = figures([(2019, "homicide", 190, "2024-10-15")])
    result = claims.check(claim(year=2019, figure=194), data, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert (result.computed, result.verdict) == (194, "matches")
    assert (result.other.computed, result.other.verdict) == (190.0, "differs")  # 4 off 194 > max(2, 2% = 3.88)


def test_part1_change_against_the_other_source_is_violent_plus_property(categories):
    # 2023: 100 + 900 = 1,000; 2024: 85 + 765 = 850: -15.0%. Its arson-free total is what is compared.
    other = figures(
        [
            (2023, "violent", 100, "2025-02-18"),
            (2023, "property", 900, "2025-02-18"),
            (2024, "violent", 85, "2025-02-18"),
            (2024, "property", 765, "2025-02-18"),
            (2024, "homicide", 5, "2025-02-18"),
        ]
    )
    change = claim(measure="percent_change", category="part1", year=2024, base_year=2023, figure=-15)
    result = claims.check(change, NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert result.verdict == "not checkable"
    assert (result.other.computed, result.other.verdict) == (-15.0, "matches")
    assert "1,000 in 2023 and 850 in 2024" in result.other.reason and "arson is not in its totals" in (
        result.other.reason
    )
    off = claims.check(replace(change, figure=-11), NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert off.other.verdict == "differs"  # 4 points off: beyond 3


def test_the_other_source_without_a_year_or_a_weapon_is_not_checkable(categories):
    other = figures([(2024, "burglary", 2273, "2025-02-18")])
    change = claim(measure="percent_change", category="burglary", year=2024, base_year=2023, figure=4)
    result = claims.check(change, NO_ROWS, NO_CRIMES, legacy_years(2019), categories, "SLMPD", other)
    assert (result.other.verdict, result.other.reason) == ("not checkable", "State UCR (test) has no figure for 2023")
    share = claims.check(
        claim(measure="firearm_share", year=2024, figure=90),
        NO_ROWS,
        NO_CRIMES,
        legacy_years(2019),
        categories,
        "SLMPD",
        other,
    )
    assert share.other.verdict == "not checkable" and "weapon" in share.other.reason


def test_the_newest_whole_year_copy_is_used():
    other = figures([(2023, "homicide", 160, "2024-10-15"), (2023, "homicide", 161, "2025-02-18")])
    assert other.figure("homicide", 2023) == other_sources.Figure(161, "2025-02-18")
    assert figures([(2023, "homicide", 60, "2023-05-01")], months=4).figure("homicide", 2023) is None
    assert other.figure("part1", 2023) is None  # no violent and property totals: no Part I figure


def test_the_repository_file_is_the_reference_copy_and_loads(site_config, categories):
    (source,) = site_config.other_sources
    assert source.file == paths.REFERENCE_DIR / "independent_figures.csv"
    loaded = other_sources.load_figures(source, categories)
    assert len(loaded.table) == 81 and loaded.content == source.file.read_bytes()
    assert loaded.figure("homicide", 2024) == other_sources.Figure(150, "2025-02-18")
    assert loaded.figure("homicide", 2023) == other_sources.Figure(160, "2025-02-18")
    assert loaded.figure("part1", 2024) == other_sources.Figure(3791 + 15831, "2025-02-18")
    assert "arson" not in loaded.measures()


def test_a_bad_value_in_the_file_names_file_line_column_and_value(tmp_path, categories):
    path = tmp_path / "figures.csv"
    path.write_text(f"{HEADER}\nrtci,2024,homicide,150,12,2025-02-18,f\nrtci,2024,murders,1x,13,18/02/2025,f\n")
    with pytest.raises(DataError) as caught:
        other_sources.load_figures(replace(SOURCE, file=path), categories)
    lines = [str(problem) for problem in caught.value.problems]
    assert f"{path}:3: column as_of: value '18/02/2025': expected the date of the copy, YYYY-MM-DD" in lines
    assert f"{path}:3: column value: value '1x': expected a whole number, 0 or more" in lines
    assert any(
        line.startswith(f"{path}:3: column measure: value 'murders': expected one of homicide") for line in lines
    )
    assert any(line.startswith(f"{path}:3: column months: value '13'") for line in lines)
    path.write_text(f"{HEADER}\nrtci,2024,homicide,150,12,2025-02-18,f\nrtci,2024,homicide,151,12,2025-02-18,f\n")
    with pytest.raises(DataError, match="1 problem"):
        other_sources.load_figures(replace(SOURCE, file=path), categories)


def test_other_sources_is_optional_and_checked(site_config):
    data = config.yaml.safe_load(paths.SITE_CONFIG.read_text(encoding="utf-8"))
    assert config.parse_config({k: v for k, v in data.items() if k != "other_sources"}, paths.ROOT).other_sources == ()
    entry = data["other_sources"][0]
    for bad, message in (
        ({**entry, "colour": "red"}, "unknown key"),
        ({**entry, "url": "javascript:x"}, "web address"),
        ({**entry, "label": ""}, "label must be"),
    ):
        with pytest.raises(ValueError, match=message):
            config.parse_config({**data, "other_sources": [bad]}, paths.ROOT)


# ----- the pages of the fixture build (the repository's site.yml names the file) -----------------------------------


def chart_spec(page: str, chart_id: str) -> dict:
    found = re.search(
        rf'<figure class="chart" id="{chart_id}">.*?<script type="application/json" '
        r'class="chart-spec">(.*?)</script>',
        page,
        re.S,
    )
    return json.loads(found.group(1))


def layers(spec: dict) -> list[dict]:
    found = []
    for layer in spec.get("layer", []):
        found += [layer, *layers(layer)]
    return found


def test_the_crime_page_has_the_other_source_column_and_chart_layer(fixture_build):
    page = (fixture_build / "docs" / "crimes" / "homicide.md").read_text()
    assert '<th scope="col" class="num">State UCR (RTCI)</th>' in page
    assert '<th scope="row" class="text">2024</th><td class="num">' in page  # a year only the other source has
    assert re.search(
        r'<th scope="row" class="text">2024</th>(<td class="num">[^<]*</td>){3}<td class="num">150</td>', page
    )
    spec = chart_spec(page, "chart-homicide-years")
    (points,) = [
        layer for layer in layers(spec) if isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "point"
    ]
    assert points["mark"]["shape"] == "diamond" and points["mark"]["color"] == "#a33b00"
    assert points["encoding"]["shape"]["scale"]["domain"] == ["State UCR (RTCI)"]  # the legend names it
    tooltip = {item["title"]: item["field"] for item in points["encoding"]["tooltip"]}
    assert tooltip["Source"] == "source" and tooltip["Copy of"] == "as_of"
    rows = spec["datasets"][points["data"]["name"]]
    assert {"year": 2024, "value": 150, "as_of": "2025-02-18"}.items() <= rows[-2].items()
    assert {row["source"] for row in rows} == {"Real-Time Crime Index (AH Datalytics), from Missouri's state UCR data"}
    bars = next(
        layer
        for layer in layers(spec)
        if "y" in layer.get("encoding", {})
        and (layer.get("mark") == "bar" or (isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "bar"))
    )
    assert all("value" not in row for row in spec["datasets"][bars["data"]["name"]])  # never mixed into the bars


def test_arson_has_no_other_source_figures(fixture_build):
    page = (fixture_build / "docs" / "crimes" / "arson.md").read_text()
    assert "State UCR" not in page


def test_a_site_without_other_sources_builds_without_them(tmp_path, fixture_places_config):
    bare = replace(fixture_places_config, other_sources=())
    fixtures = Path(__file__).parent / "fixtures"
    build.run(
        [fixtures / "legacy", fixtures / "nibrs"],
        build_dir=tmp_path / "build",
        site_dir=None,
        config=bare,
        cache_dir=None,
    )
    docs = tmp_path / "build" / "docs"
    assert "State UCR" not in (docs / "crimes" / "homicide.md").read_text() + (docs / "claims.md").read_text()
    assert not (docs / "downloads" / "independent_figures.csv").exists()


# ----- the real build: every SLMPD file ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_docs(real_site) -> Path:
    """The pages of the real site (every SLMPD file in data/raw/, the City's places)."""
    return real_site[0] / "docs"


def claim_rows(page: str) -> dict[str, list[str]]:
    """The claims table: statement -> the other cells (the first table on the page; header and rule left out)."""
    lines = [line for line in page.splitlines() if line.startswith("| ")]
    rows = [line.removeprefix("| ").removesuffix(" |").split(" | ") for line in lines]
    return {row[0]: row[1:] for row in rows[2:] if len(row) == 7}


def test_every_real_claim_has_a_verdict_against_at_least_one_source(real_docs):
    rows = claim_rows((real_docs / "claims.md").read_text())
    assert len(rows) == 9
    for statement, cells in rows.items():
        verdicts = {cells[2], cells[4]}
        assert verdicts - {"**Not checkable**"}, statement
    # 2022: no raw files; the state's figure is checked and says so.
    assert rows["200 homicides in 2022"][1:5] == ["n/a", "**Not checkable**", "200", "**Matches**"]
    assert (
        "Not in SLMPD's files in this build (2022). The State UCR (RTCI) figure is 200"
        in (rows["200 homicides in 2022"][5])
    )
    # -15% claimed; the state's Part I (violent + property): 22,094 -> 19,622, -11.2%.
    assert rows["Overall crime down 15&#37; from 2023 to 2024"][3:5] == ["-11.2%", "**Differs**"]
    assert rows["Burglaries up about 4&#37; in 2024"][3:5] == ["+7.2%", "**Differs**"]  # 2,121 -> 2,273


def test_the_real_claims_page_shows_where_each_claim_comes_from(real_docs):
    page = (real_docs / "claims.md").read_text()
    assert page.count("2024&#45;08 &#40;approximate date&#41;") == 5
    assert page.count("2025 &#40;approximate date&#41;") == 4
    assert "National Night Out 2024" in page and "press conference, early 2025" in page


def test_the_real_goal_baseline_is_the_state_figure_when_the_files_lack_2024(real_docs):
    page = (real_docs / "goals.md").read_text()
    assert "Baseline (2024): **150**, the State UCR (RTCI) figure (copy of 2025-02-18)" in page
    assert "hold 4 of the 12 months of 2024, and a part of a year is no baseline" in page
    assert "Target for 2028: **120**." in page
    assert "State UCR (RTCI) has no figure for shootings" in page
    assert "State UCR (RTCI) gives **141** for 2025" in page


def test_the_real_crime_page_marks_the_break_before_the_first_nibrs_year_on_the_axis(real_docs):
    spec = chart_spec((real_docs / "crimes" / "homicide.md").read_text(), "chart-homicide-years")
    rules = [
        layer for layer in layers(spec) if isinstance(layer.get("mark"), dict) and layer["mark"].get("type") == "rule"
    ]
    (marker,) = [row for rows in spec["datasets"].values() for row in rows if row.get("label") == charts.BREAK_LABEL]
    assert rules and marker["year"] == 2021  # the state's 2021 is on the axis, SLMPD's first NIBRS year is 2024


def test_the_file_is_published_unchanged_with_its_source(fixture_build, site_config):
    folder = fixture_build / "docs" / "downloads"
    (source,) = site_config.other_sources
    assert (folder / "independent_figures.csv").read_bytes() == source.file.read_bytes()
    package = json.loads((folder / "datapackage.json").read_text())
    (resource,) = [r for r in package["resources"] if r["name"] == "independent_figures"]
    assert resource["sources"] == [{"title": source.name, "path": "https://realtimecrimeindex.com/"}]
    assert resource["rows"] == 81 and resource["schema"]["primaryKey"] == ["year", "measure", "as_of"]
    assert {"title": source.name, "path": source.url} in package["sources"]
    checked = (folder / "claims_checked.csv").read_text().splitlines()[0].split(",")
    assert checked[-3:] == ["figure_other_source", "verdict_other_source", "reason_other_source"]
