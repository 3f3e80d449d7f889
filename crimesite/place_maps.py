"""The maps: crime by neighborhood and by district (a choropleth, or a ranking without boundaries) and the last
28 days by block."""

from __future__ import annotations

import pandas as pd

from crimesite import charts, escape
from crimesite.page_blocks import chart_block, html_table
from crimesite.page_format import fmt_int
from crimesite.place_format import count_text, date_label, rate_text
from crimesite.placemetrics import PlaceData
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts


def map_values(data: SiteData, rates: pd.DataFrame, names: dict[int, str], value: str) -> pd.DataFrame:
    """One row per area: id, name, and per option (part1 and each category) its value and count."""
    frame = pd.DataFrame({"id": list(names), "name": [escape.plain(name) for name in names.values()]})
    for key in ["part1"] + [c.slug for c in data.part1]:
        part = rates[rates["category"] == key].set_index("place")
        frame[f"v_{key}"] = frame["id"].map(part[value]).astype(float)
        frame[f"n_{key}"] = frame["id"].map(part["count"]).astype(float)
    return frame


def map_options(data: SiteData) -> list[tuple[str, str]]:
    return [("part1", "All Part I crimes")] + [(c.slug, c.name) for c in data.part1]


def option_subject(key: str, label: str) -> str:
    """What a map shows for one menu option, as a summary names it."""
    return "Part I crimes" if key == "part1" else label


def neighborhood_summary(values: pd.DataFrame, key: str, label: str, by_rate: bool, year: int) -> str:
    """The neighborhood map's summary for one menu option: the three highest areas."""
    column = f"v_{key}"
    ranked = values.dropna(subset=[column]).sort_values([column, "name"], ascending=[False, True])
    top = ", ".join(
        f"{name} {value:,.1f}" if by_rate else f"{name} {int(value):,}"
        for name, value in zip(ranked["name"].head(3), ranked[column].head(3), strict=True)
    )
    subject = option_subject(key, label)
    if by_rate:
        return (
            f"{subject} per 1,000 residents by neighborhood in {year}; highest: {top}. "
            f"{len(values) - len(ranked)} parks, other areas and neighborhoods with few residents have no rate."
        )
    return f"{subject} by neighborhood in {year} (no populations, so no rates); most: {top}."


def neighborhood_map(data: SiteData, figures: Charts, places: PlaceData) -> dict:
    """Rates by neighborhood; counts when no neighborhood has a population (no table)."""
    geography = places.geography
    names = {n.number: n.name for n in geography.neighborhoods}
    values = map_values(data, places.neighborhood_rates, names, "rate")
    by_rate = values["v_part1"].notna().any()
    if not by_rate:
        values = map_values(data, places.neighborhood_rates, names, "count")
    title = "Crimes per 1,000 residents" if by_rate else "Crimes"
    ranked = values.dropna(subset=["v_part1"]).sort_values(["v_part1", "name"], ascending=[False, True])
    summaries = {
        key: neighborhood_summary(values, key, label, by_rate, places.rate_year) for key, label in map_options(data)
    }
    summary = summaries["part1"]
    show = rate_text if by_rate else count_text
    section = area_map(
        data,
        figures,
        "neighborhood",
        values,
        ranked,
        show,
        title,
        summaries,
        geography.neighborhood_shapes,
        labels=False,
    )
    return section | {"by_rate": by_rate, "summary": summary}


def district_summary(values: pd.DataFrame, key: str, label: str, year: int) -> str:
    """The district map's summary for one menu option: every district, most first."""
    column = f"v_{key}"
    ordered = values.dropna(subset=[column]).sort_values([column, "name"], ascending=[False, True])
    return (
        f"{option_subject(key, label)} by police district in {year}: "
        + ", ".join(f"{name} {int(value):,}" for name, value in zip(ordered["name"], ordered[column], strict=True))
        + "."
    )


def district_map(data: SiteData, figures: Charts, places: PlaceData) -> dict:
    geography = places.geography
    names = {d: f"District {d}" for d in geography.districts}
    values = map_values(data, places.district_rates, names, "count")
    ordered = values.sort_values("v_part1", ascending=False)
    summaries = {key: district_summary(values, key, label, places.rate_year) for key, label in map_options(data)}
    return area_map(
        data,
        figures,
        "district",
        values,
        ordered,
        count_text,
        "Crimes",
        summaries,
        geography.district_shapes,
        labels=True,
    )


def area_map(
    data: SiteData,
    figures: Charts,
    kind: str,
    values: pd.DataFrame,
    ordered: pd.DataFrame,
    show,
    title: str,
    summaries: dict[str, str],
    shapes: dict | None,
    labels: bool,
) -> dict:
    """A map of `values` by area (a choropleth with a crime menu whose caption follows the crime picked,
    `summaries` by option key) and the table of every value; without boundaries, the areas ranked by their
    Part I value instead of the map. `labels`: each area's id is written on it."""
    summary = summaries["part1"]
    year = data.places.rate_year
    options = map_options(data)
    table = html_table(
        f"table-{kind}-values",
        f"{title} by {kind}, {year}",
        [kind.capitalize()] + [escape.text(label) for _, label in options],
        [[escape.text(r["name"])] + [show(r[f"v_{key}"]) for key, _ in options] for _, r in ordered.iterrows()],
        "l" + "r" * len(options),
    )
    if shapes is None:
        bars = ordered[["name", "v_part1"]].rename(columns={"v_part1": "value"}).dropna()
        bars = bars.sort_values(["value", "name"], ascending=[False, True]).head(25)
        chart = charts.ranked_bars(bars, f"Part I {title.lower()}", summary)
        block = chart_block(figures, f"chart-{kind}-ranked", chart, f"{kind.capitalize()}s ranked", summary)
        return {"available": False, "reason": f"no {kind} boundary file is configured", "chart": block, "table": table}
    chart = charts.choropleth(f"{kind}s", values, options, title, summary, summaries, labels)
    block = chart_block(
        figures, f"chart-{kind}-map", chart, f"Map of crime by {kind}", summary, {f"{kind}s": shapes["features"]}
    )
    return {"available": True, "reason": None, "chart": block, "table": table}


def recent_map(data: SiteData, figures: Charts, places: PlaceData) -> dict:
    points = places.recent_points
    shapes = places.geography.district_shapes or places.geography.neighborhood_shapes
    end = places.week_end
    start = end - pd.Timedelta(days=27)
    by_category = points.groupby("category")["n"].sum()
    mapped = [c.name for c in data.part1 if not c.sexual_offense]
    summary = (
        f"Crimes from {date_label(start)} to {date_label(end)} shown by block: "
        + ", ".join(f"{name.lower()} {int(by_category.get(name, 0)):,}" for name in mapped)
        + ". Rapes and other sexual offenses are not mapped."
    )
    counts = html_table(
        "table-recent-counts",
        f"Crimes on the map, {date_label(start)} to {date_label(end)}",
        ["Crime", "Crimes mapped", "Points (blocks)"],
        [
            [escape.text(name), fmt_int(by_category.get(name, 0)), fmt_int((points["category"] == name).sum())]
            for name in mapped
        ],
        "lrr",
    )
    context = {
        "start": date_label(start),
        "end": date_label(end),
        "counts": counts,
        "available": shapes is not None,
        "chart": None,
        "points": fmt_int(len(points)),
    }
    if shapes is not None:
        # The block is shown in the tooltip as text (vega-tooltip escapes it): only cleaned and cut here.
        csv = points.assign(block=points["block"].map(escape.plain)).to_csv(index=False, lineterminator="\n")
        chart = charts.points_map("boundaries", csv, mapped, summary)
        context["chart"] = chart_block(
            figures,
            "chart-recent-map",
            chart,
            "Map of crimes in the last 28 days",
            summary,
            {"boundaries": shapes["features"]},
        )
    return context


def maps_page(data: SiteData, figures: Charts, places: PlaceData) -> dict:
    return {
        "neighborhoods": neighborhood_map(data, figures, places),
        "districts": district_map(data, figures, places),
        "rate_year": places.rate_year,
        "rate_months": data.cover.months_in(places.rate_year),
        "population_year": places.geography.population_year,
        "min_population": places.geography.min_population,
        "not_found": [escape.text(name) for name in places.geography.not_found],
    }
