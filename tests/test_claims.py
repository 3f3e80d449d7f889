"""Claims beside the data: verdicts on small frames whose answers are worked out by hand."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from crimesite import claims, metrics, paths


def claim(**fields) -> claims.Claim:
    base = dict(
        id="x",
        statement="s",
        measure="count",
        category="homicide",
        year=2019,
        base_year=None,
        figure=10.0,
        who="City",
        said_on="",
        source="press",
        url="",
        note="",
    )
    return claims.Claim(**{**base, **fields})


def full_years(*years: int, methods_break: str = "2021-01") -> metrics.Coverage:
    return metrics.coverage({f"{y}-{m:02d}" for y in years for m in range(1, 13)}, methods_break)


def annual(rows: list[tuple[int, str, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["year", "category", "count"])


def counted(rows: list[tuple[int, str, object]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "category", "firearm"])
    return frame.assign(count=1, firearm=frame["firearm"].astype("boolean"))


def test_a_count_that_matches_is_close_or_differs(categories):
    cover, data = full_years(2019), annual([(2019, "homicide", 10)])
    assert claims.check(claim(figure=10), data, counted([]), cover, categories).verdict == "matches"
    assert claims.check(claim(figure=12), data, counted([]), cover, categories).verdict == "close"
    result = claims.check(claim(figure=20), data, counted([]), cover, categories)
    assert result.verdict == "differs" and result.computed == 10
    assert result.reason == "the data counts 10 crimes fewer"
    one_more = claims.check(claim(figure=9), data, counted([]), cover, categories)
    assert (one_more.verdict, one_more.reason) == ("close", "the data counts 1 crime more")  # not "+1 crimes"


def test_a_year_not_wholly_in_the_data_is_not_checkable(categories):
    cover = metrics.coverage({"2019-01", "2019-02"}, "2021-01")
    result = claims.check(claim(figure=10), annual([(2019, "homicide", 3)]), counted([]), cover, categories, "SLMPD")
    assert result.verdict == "not checkable"
    assert result.reason == "SLMPD's files in this build hold only 2 of the 12 months of 2019"
    missing = claims.check(claim(year=2020), annual([]), counted([]), cover, categories, "SLMPD")
    assert missing.verdict == "not checkable" and missing.reason == "not in SLMPD's files in this build (2020)"
    assert missing.other is None  # no other source: no second verdict


def test_percent_change_over_part1_and_across_the_break(categories):
    data = annual([(2020, "homicide", 100), (2020, "larceny", 900), (2021, "homicide", 50), (2021, "larceny", 800)])
    result = claims.check(
        claim(measure="percent_change", category="part1", year=2021, base_year=2020, figure=-15),
        data,
        counted([]),
        full_years(2020, 2021),
        categories,
    )
    assert result.computed == -15.0 and result.verdict == "matches"
    assert "methods break" in result.reason


def test_a_share_on_part_of_a_nibrs_year_is_judged_on_those_months_and_says_so(categories):
    cover = metrics.coverage({"2024-01", "2024-02", "2024-03", "2024-04"}, "2021-01")
    data = counted([(2024, "homicide", True)] * 36 + [(2024, "homicide", False)] * 4)
    result = claims.check(
        claim(measure="firearm_share", year=2024, figure=90), annual([]), data, cover, categories, "SLMPD"
    )
    assert (result.computed, result.verdict) == (90.0, "matches")
    assert "(36 of 40)" in result.reason and "only 4 of the 12 months of 2024, so the share is of those months" in (
        result.reason
    )


def test_firearm_share_needs_a_nibrs_year(categories):
    rows = [(2022, "homicide", True)] * 9 + [(2022, "homicide", False)]
    data = counted(rows)
    nibrs = claims.check(
        claim(measure="firearm_share", year=2022, figure=90), annual([]), data, full_years(2022), categories
    )
    assert nibrs.computed == 90.0 and nibrs.verdict == "matches"
    legacy = claims.check(
        claim(measure="firearm_share", year=2019, figure=90),
        annual([]),
        counted([(2019, "homicide", None)]),
        full_years(2019),
        categories,
    )
    assert legacy.verdict == "not checkable" and "legacy files do not record the weapon" in legacy.reason


def test_the_seeded_claims_load(categories):
    loaded = claims.load_claims(paths.ROOT / "data" / "claims.csv", categories)
    homicides = {c.year: c.figure for c in loaded if c.measure == "count" and c.category == "homicide"}
    assert homicides == {2014: 159, 2020: 263, 2021: 201, 2022: 200, 2023: 160, 2024: 150}
    assert {c.measure for c in loaded} == set(claims.MEASURES)


def test_the_seeded_claims_say_when_and_where_they_were_made(categories):
    loaded = {c.id: c for c in claims.load_claims(paths.ROOT / "data" / "claims.csv", categories)}
    night_out = {f"homicides-{year}" for year in (2014, 2020, 2021, 2022, 2023)}
    for claim_id, item in loaded.items():
        assert item.said_on_approximate, claim_id
        if claim_id in night_out:
            assert item.said_on == "2024-08" and "National Night Out 2024" in item.source
        else:
            assert item.said_on == "2025" and "press conference, early 2025" in item.source


def test_a_claims_file_without_the_approximate_column_still_loads_and_a_bad_flag_is_named(tmp_path, categories):
    path = tmp_path / "claims.csv"
    row = ["a", "3 homicides", "count", "homicide", "2021", "", "3", "x", "2024-08", "x", "", ""]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([claims.COLUMNS, row])
    assert claims.load_claims(path, categories)[0].said_on_approximate is False
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([[*claims.COLUMNS, claims.APPROXIMATE], [*row, "maybe"]])
    with pytest.raises(ValueError) as caught:
        claims.load_claims(path, categories)
    assert str(caught.value).startswith(f"{path}:2: column said_on_approximate: value 'maybe': expected")


def test_a_bad_claims_file_names_the_line(tmp_path, categories):
    text = (paths.ROOT / "data" / "claims.csv").read_text().replace(",count,homicide,2020,", ",count,murders,2020,")
    (tmp_path / "claims.csv").write_text(text)
    with pytest.raises(ValueError, match=r"claims\.csv:3:"):
        claims.load_claims(tmp_path / "claims.csv", categories)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:window.__pwned=1",
        " https://example.org",
        'https://example.org/"><script>x</script>',
        "https://example.org/a b",
        "ftp://example.org/file",
        "data:text/html,<script>x</script>",
    ],
)
def test_a_claim_whose_url_is_not_a_web_address_stops_the_build(tmp_path, categories, url):
    path = tmp_path / "claims.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(claims.COLUMNS)
        writer.writerow(["a", "3 homicides", "count", "homicide", "2021", "", "3", "x", "", "x", url, ""])
    with pytest.raises(ValueError) as caught:
        claims.load_claims(path, categories)
    assert str(caught.value).startswith(f"{path}:2: column url: value {url!r}: expected")


def test_a_share_from_part_of_a_year_with_few_crimes_is_not_judged(categories):
    cover = metrics.coverage({"2024-01", "2024-02"}, "2021-01")
    data = counted([(2024, "homicide", True)] * 4)
    result = claims.check(
        claim(measure="firearm_share", year=2024, figure=90), annual([]), data, cover, categories, "SLMPD"
    )
    assert (result.computed, result.verdict) == (100.0, "not checkable")
    assert "with 4 so far (4 with a firearm): too few" in result.reason
