"""The place pages: districts, neighborhoods, the weekly reports and the maps."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from crimesite import charts, escape, weekly
from crimesite.pages import (
    SiteData,
    chart_block,
    coverage_label,
    fmt_change,
    fmt_int,
    gap_sentence,
    html_table,
    md_table,
    month_name,
    nav_title,
    with_gap_rows,
    year_run_label,
)
from crimesite.placemetrics import UNKNOWN_LABEL, PlaceData
from crimesite.places import UNKNOWN, Neighborhood


def sortable(table: Markup) -> Markup:
    """A Markdown table that assets/javascripts/tablesort.js lets readers sort by any column."""
    return Markup(f'<div class="sortable" markdown>\n\n{table}\n\n</div>')


def date_label(day: pd.Timestamp) -> str:
    return f"{day.strftime('%B')} {day.day}, {day.year}"


def neighborhood_path(place: Neighborhood) -> str:
    return f"neighborhoods/{place.slug}.md"


def rate_text(value: object) -> Markup:
    return Markup("n/a" if value is None or pd.isna(value) else f"{float(value):.1f}")


# ----- shared pieces ----------------------------------------------------------------------------------


def latest_comparison(data: SiteData, annual: pd.DataFrame) -> dict:
    """The latest year's Part I counts for one place (`annual`: its rows only) against the year before."""
    years = sorted(int(y) for y in annual["year"].unique())
    rows = annual.set_index(["year", "category"])["count"]
    latest = years[-1]
    previous = latest - 1 if latest - 1 in years else None
    table_rows = []
    for category in data.part1:
        current = int(rows.get((latest, category.slug), 0))
        row = [Markup(f"[{escape.text(category.name)}](../crimes/{category.slug}.md)"), fmt_int(current)]
        if previous is not None:
            before = int(rows.get((previous, category.slug), 0))
            row += [fmt_int(before), fmt_change(current - before)]
        table_rows.append(row)
    total_now = int(sum(rows.get((latest, c.slug), 0) for c in data.part1))
    total_rows = [Markup("**All Part I crimes**"), fmt_int(total_now)]
    if previous is not None:
        total_before = int(sum(rows.get((previous, c.slug), 0) for c in data.part1))
        total_rows += [
            fmt_int(total_before),
            fmt_change(total_now - total_before),
        ]
    table_rows.append(total_rows)
    headers = ["Crime", f"{latest}"] + ([f"{previous}", "Change"] if previous is not None else [])
    partial = not data.cover.is_complete(latest)
    return {
        "latest": latest,
        "previous": previous,
        "partial": partial,
        "months": data.cover.months_in(latest),
        "crosses_break": previous is not None and data.cover.year_era(latest) != data.cover.year_era(previous),
        "total": total_now,
        "table": md_table(headers, table_rows, "lr" + ("rr" if previous is not None else "")),
    }


def place_trend(data: SiteData, rows: pd.DataFrame, chart_id: str, label: str) -> dict:
    """Part I crimes by year for one place (`rows`: its rows only): a chart and a table by category."""
    by_year = rows.groupby("year", as_index=False)["count"].sum()
    by_year["coverage"] = [coverage_label(data, int(y)) for y in by_year["year"]]
    wide = rows.pivot(index="year", columns="category", values="count")
    summary = (
        f"Part I crimes in {label} each year: "
        + ", ".join(f"{int(r.year)}: {int(r.count):,}" for r in by_year.itertuples())
        + "."
        + gap_sentence(
            data.cover.missing_year_runs, year_run_label, int(by_year["year"].min()), int(by_year["year"].max())
        )
    )
    totals = by_year.set_index("year")["count"]
    table_rows = with_gap_rows(
        [
            [int(year), fmt_int(totals[year])] + [fmt_int(values[c.slug]) for c in data.part1]
            for year, values in zip(wide.index, wide.to_dict(orient="records"), strict=True)
        ],
        [int(year) for year in wide.index],
        data.cover.missing_year_runs,
        year_run_label,
    )
    return {
        "chart": chart_block(
            f"chart-{chart_id}-years",
            charts.yearly_bars(by_year, "Part I crimes", summary, data.break_year, data.cover.missing_years),
            f"Part I crimes by year in {label}",
            summary,
        ),
        "table": html_table(
            f"table-{chart_id}-years",
            f"Part I crimes by year in {label}",
            ["Year", "Part I total"] + [c.name for c in data.part1],
            table_rows,
            "lr" + "r" * len(data.part1),
        ),
    }


def crime_mix(data: SiteData, place_rows: pd.DataFrame, year: int, chart_id: str, label: str) -> dict:
    rows = place_rows[place_rows["year"] == year].set_index("category")["count"]
    frame = pd.DataFrame(
        {"name": [c.name for c in data.part1], "count": [int(rows.get(c.slug, 0)) for c in data.part1]}
    )
    total = int(frame["count"].sum())
    ordered = frame.sort_values(["count", "name"], ascending=[False, True])
    summary = (
        f"Part I crimes in {label} in {year}: "
        + ", ".join(f"{r.name.lower()} {int(r.count):,}" for r in ordered.itertuples())
        + "."
    )
    return {
        "chart": chart_block(
            f"chart-{chart_id}-mix", charts.category_bars(frame, summary), f"Crime mix, {year}", summary
        ),
        "table": html_table(
            f"table-{chart_id}-mix",
            f"Part I crimes in {label} in {year}, by crime",
            ["Crime", "Crimes", "Share (%)"],
            [
                [r.name, fmt_int(r.count), f"{r.count / total * 100:.1f}" if total else "n/a"]
                for r in ordered.itertuples()
            ],
            "lrr",
        ),
    }


def change_text(current: object, previous: object) -> Markup:
    if pd.isna(current) or pd.isna(previous):
        return Markup("n/a")
    difference = int(current) - int(previous)
    percent = weekly.percent_change(current, previous)
    text = f"{difference:+,}" if difference else "0"
    return Markup(text + (f" ({percent:+.0f}%)" if percent is not None else ""))


def usual_text(value: object, low: object, high: object) -> Markup:
    verdict = weekly.verdict(value, low, high)
    if verdict == weekly.NO_HISTORY:
        return Markup("n/a")
    marker = {weekly.ABOVE: "**above**", weekly.BELOW: "**below**", weekly.WITHIN: "within"}[verdict]
    return Markup(f"{marker} ({int(low):,}–{int(high):,})")


def count_text(value: object) -> Markup:
    return Markup("n/a") if pd.isna(value) else fmt_int(value)


def weekly_table(data: SiteData, report: pd.DataFrame, place: object) -> Markup:
    """The weekly report as three narrow tables, the week, the last 28 days and the year to date, rather than one
    of 11 columns that a page cuts off even at 1280 px. Every page that shows it sits one folder down, as the
    crime pages do."""
    rows = report[report["place"] == place].set_index("category")
    parts = {
        "The week": (
            ["This week", "Prior week", "Against the usual range"],
            lambda r: [count_text(r["week"]), count_text(r["prior_week"]),
                       usual_text(r["week"], r["week_low"], r["week_high"])],
            "rrl",
        ),
        "The last 28 days": (
            ["Last 28 days", "A year earlier", "Change", "Against the usual range"],
            lambda r: [count_text(r["last_28_days"]), count_text(r["year_earlier_28_days"]),
                       change_text(r["last_28_days"], r["year_earlier_28_days"]),
                       usual_text(r["last_28_days"], r["28_days_low"], r["28_days_high"])],
            "rrrl",
        ),
        "The year to date": (
            ["Year to date", "Prior year to date", "Change"],
            lambda r: [count_text(r["year_to_date"]), count_text(r["prior_year_to_date"]),
                       change_text(r["year_to_date"], r["prior_year_to_date"])],
            "rrr",
        ),
    }  # fmt: skip
    tables = []
    for title, (headers, cells, align) in parts.items():
        table_rows = [
            [Markup(f"[{escape.text(c.name)}](../crimes/{c.slug}.md)"), *cells(rows.loc[c.slug])] for c in data.part1
        ]
        tables.append(f"**{title}**\n\n{md_table(['Crime', *headers], table_rows, 'l' + align)}")
    return Markup("\n\n".join(tables))


def week_context(data: SiteData, places: PlaceData) -> dict:
    end = places.week_end
    return {
        "week_start": date_label(places.week_start),
        "week_end": date_label(end),
        "window_start": date_label(end - pd.Timedelta(days=27)),
        "year_start": date_label(pd.Timestamp(end.year, 1, 1)),
        "min_count": weekly.MIN_COUNT_FOR_PERCENT,
        "range_years": weekly.RANGE_YEARS,
        "range_neighbours": weekly.RANGE_NEIGHBOURS,
        "min_range_years": weekly.MIN_RANGE_YEARS,
        "coded_share": None if places.coded_share is None else f"{places.coded_share:.0f}",
    }


# ----- pages ---------------------------------------------------------------------------------------------


def neighborhood_index(data: SiteData, places: PlaceData) -> dict:
    geography = places.geography
    annual = places.neighborhood_annual
    latest = int(annual["year"].max())
    totals = annual.groupby(["year", "place"])["count"].sum()
    rates = places.neighborhood_rates
    part1 = rates[rates["category"] == "part1"].set_index("place")
    rows = []
    for place in geography.neighborhoods:
        rate = part1["rate"].get(place.number)
        rank = part1["rank"].get(place.number)
        rows.append(
            [
                place.number,
                Markup(f"[{escape.text(place.name)}]({place.slug}.md)"),
                "n/a" if place.district is None else place.district,
                "park or other area"
                if place.park
                else ("n/a" if place.population is None else fmt_int(place.population)),
                fmt_int(totals.get((places.rate_year, place.number), 0)),
                rate_text(rate),
                "n/a" if rank is None or pd.isna(rank) else int(rank),
                fmt_int(totals.get((latest, place.number), 0)),
            ]
        )
    rows.append(
        [0, UNKNOWN_LABEL, "n/a", "n/a", fmt_int(totals.get((places.rate_year, UNKNOWN), 0)), "n/a", "n/a",
         fmt_int(totals.get((latest, UNKNOWN), 0))]
    )  # fmt: skip
    city = annual.groupby("year")["count"].sum()
    headers = ["No.", "Neighborhood", "District", "Residents", f"Part I {places.rate_year}", "Per 1,000",
               "Rank", f"Part I {latest}"]  # fmt: skip
    if latest == places.rate_year:
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return {
        "table": sortable(md_table(headers, rows, "rlrrrrr" + ("r" if len(headers) == 8 else ""))),
        "rate_year": places.rate_year,
        "rate_months": data.cover.months_in(places.rate_year),
        "latest": latest,
        "latest_partial": not data.cover.is_complete(latest),
        "city_rate_year": int(city[places.rate_year]),
        "city_latest": int(city[latest]),
        "unknown_rate_year": int(totals.get((places.rate_year, UNKNOWN), 0)),
        "count": len(geography.neighborhoods),
        "residential": sum(1 for n in geography.neighborhoods if not n.park),
        "parks": sum(1 for n in geography.neighborhoods if n.park),
        "from_table": geography.from_table,
        "population_year": geography.population_year,
        "min_population": geography.min_population,
    }


def neighborhood_page(data: SiteData, places: PlaceData, place: Neighborhood, annual: pd.DataFrame) -> dict:
    rates = places.neighborhood_rates
    mine = rates[(rates["place"] == place.number) & (rates["category"] == "part1")]
    rated = rates[(rates["category"] == "part1") & rates["rate"].notna()]
    rate = mine["rate"].iloc[0] if len(mine) else None
    rank = mine["rank"].iloc[0] if len(mine) else None
    label = place.name
    comparison = latest_comparison(data, annual)
    return {
        "place": place,
        "district_link": None if place.district is None else Markup(f"../districts/{place.district}.md"),
        "has_rate": rate is not None and not pd.isna(rate),  # only places with a counted population have one
        "rate": rate_text(rate),
        "rank": None if rank is None or pd.isna(rank) else int(rank),
        "rated_count": len(rated),
        "rate_year": places.rate_year,
        "rate_months": data.cover.months_in(places.rate_year),
        "population_year": places.geography.population_year,
        "min_population": places.geography.min_population,
        "from_table": places.geography.from_table,
        "comparison": comparison,
        "trend": place_trend(data, annual, f"n{place.number}", label),
        "mix": crime_mix(data, annual, comparison["latest"], f"n{place.number}", label),
        "weekly": weekly_table(data, places.weekly_neighborhoods, place.number),
        **week_context(data, places),
    }


def district_index(data: SiteData, places: PlaceData) -> dict:
    annual = places.district_annual
    latest = int(annual["year"].max())
    totals = annual.groupby(["year", "place"])["count"].sum()
    part1 = places.district_rates[places.district_rates["category"] == "part1"].set_index("place")
    rows = []
    for number in places.geography.districts:
        rows.append(
            [
                Markup(f"[District {number}]({number}.md)"),
                count_text(part1["population"].get(number)),
                fmt_int(totals.get((places.rate_year, number), 0)),
                rate_text(part1["rate"].get(number)),
                fmt_int(totals.get((latest, number), 0)),
            ]
        )
    rows.append([UNKNOWN_LABEL, "n/a", fmt_int(totals.get((places.rate_year, UNKNOWN), 0)), "n/a",
                 fmt_int(totals.get((latest, UNKNOWN), 0))])  # fmt: skip
    headers = ["District", "Residents (approx.)", f"Part I {places.rate_year}", "Per 1,000", f"Part I {latest}"]
    if latest == places.rate_year:
        headers, rows = headers[:-1], [row[:-1] for row in rows]
    return {
        "table": sortable(md_table(headers, rows, "lrrr" + ("r" if len(headers) == 5 else ""))),
        "since": month_name(places.districts_since) if places.districts_since else None,
        "district_count": len(places.geography.districts),
        "rate_year": places.rate_year,
        "first_year": int(annual["year"].min()) if len(annual) else None,
        "map": district_map(data, places),
    }


def district_page(data: SiteData, places: PlaceData, number: int) -> dict:
    annual = places.district_annual[places.district_annual["place"] == number]
    label = f"District {number}"
    comparison = latest_comparison(data, annual)
    part1 = places.district_rates[places.district_rates["category"] == "part1"].set_index("place")
    members = [n for n in places.geography.neighborhoods if n.district == number]
    return {
        "number": number,
        "since": month_name(places.districts_since) if places.districts_since else None,
        "district_count": len(places.geography.districts),
        "comparison": comparison,
        "trend": place_trend(data, annual, f"d{number}", label),
        "mix": crime_mix(data, annual, comparison["latest"], f"d{number}", label),
        "rate": rate_text(part1["rate"].get(number)),
        "rate_year": places.rate_year,
        "rate_months": data.cover.months_in(places.rate_year),
        "population": None if pd.isna(population := part1["population"].get(number)) else int(population),
        "neighborhoods": [{"name": n.name, "link": Markup(f"../{neighborhood_path(n)}")} for n in members],
        "weekly": weekly_table(data, places.weekly_districts, number),
        **week_context(data, places),
    }


def weekly_page(data: SiteData, places: PlaceData, district: int | None) -> dict:
    if district is None:
        table = weekly_table(data, places.weekly_city, "all")
    else:
        table = weekly_table(data, places.weekly_districts, district)
    return {
        "district": district,
        "districts": places.geography.districts,
        "table": table,
        **week_context(data, places),
    }


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


def neighborhood_map(data: SiteData, places: PlaceData) -> dict:
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
        data, "neighborhood", values, ranked, show, title, summaries, geography.neighborhood_shapes, labels=False
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


def district_map(data: SiteData, places: PlaceData) -> dict:
    geography = places.geography
    names = {d: f"District {d}" for d in geography.districts}
    values = map_values(data, places.district_rates, names, "count")
    ordered = values.sort_values("v_part1", ascending=False)
    summaries = {key: district_summary(values, key, label, places.rate_year) for key, label in map_options(data)}
    return area_map(
        data, "district", values, ordered, count_text, "Crimes", summaries, geography.district_shapes, labels=True
    )


def area_map(
    data: SiteData,
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
        [kind.capitalize()] + [label for _, label in options],
        [[r["name"]] + [show(r[f"v_{key}"]) for key, _ in options] for _, r in ordered.iterrows()],
        "l" + "r" * len(options),
    )
    if shapes is None:
        bars = ordered[["name", "v_part1"]].rename(columns={"v_part1": "value"}).dropna()
        bars = bars.sort_values(["value", "name"], ascending=[False, True]).head(25)
        chart = charts.ranked_bars(bars, f"Part I {title.lower()}", summary)
        block = chart_block(f"chart-{kind}-ranked", chart, f"{kind.capitalize()}s ranked", summary)
        return {"available": False, "reason": f"no {kind} boundary file is configured", "chart": block, "table": table}
    chart = charts.choropleth(f"{kind}s", values, options, title, summary, summaries, labels)
    block = chart_block(
        f"chart-{kind}-map", chart, f"Map of crime by {kind}", summary, {f"{kind}s": shapes["features"]}
    )
    return {"available": True, "reason": None, "chart": block, "table": table}


def recent_map(data: SiteData, places: PlaceData) -> dict:
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
        [[name, fmt_int(by_category.get(name, 0)), fmt_int((points["category"] == name).sum())] for name in mapped],
        "lrr",
    )
    context = {"start": date_label(start), "end": date_label(end), "counts": counts, "available": shapes is not None,
               "chart": None, "points": fmt_int(len(points))}  # fmt: skip
    if shapes is not None:
        # The block is shown in the tooltip as text (vega-tooltip escapes it): only cleaned and cut here.
        csv = points.assign(block=points["block"].map(escape.plain)).to_csv(index=False, lineterminator="\n")
        chart = charts.points_map("boundaries", csv, mapped, summary)
        context["chart"] = chart_block("chart-recent-map", chart, "Map of crimes in the last 28 days", summary,
                                       {"boundaries": shapes["features"]})  # fmt: skip
    return context


def maps_page(data: SiteData, places: PlaceData) -> dict:
    return {
        "neighborhoods": neighborhood_map(data, places),
        "districts": district_map(data, places),
        "rate_year": places.rate_year,
        "rate_months": data.cover.months_in(places.rate_year),
        "population_year": places.geography.population_year,
        "min_population": places.geography.min_population,
        "not_found": places.geography.not_found,
    }


# ----- rendering and navigation -----------------------------------------------------------------------------


def render_place_pages(data: SiteData, places: PlaceData, render) -> dict[str, str]:
    pages = {
        "neighborhoods/index.md": render("neighborhoods.md.j2", **neighborhood_index(data, places)),
        "districts/index.md": render("districts.md.j2", **district_index(data, places)),
        "weekly/index.md": render("weekly.md.j2", **weekly_page(data, places, None)),
        "maps/index.md": render("maps.md.j2", **maps_page(data, places)),
        "maps/recent.md": render("recent.md.j2", **recent_map(data, places)),
    }
    by_place = dict(tuple(places.neighborhood_annual.groupby("place")))
    for place in places.geography.neighborhoods:
        context = neighborhood_page(data, places, place, by_place[place.number])
        pages[neighborhood_path(place)] = render("neighborhood.md.j2", **context)
    for number in places.geography.districts:
        pages[f"districts/{number}.md"] = render("district.md.j2", **district_page(data, places, number))
        pages[f"weekly/district-{number}.md"] = render("weekly.md.j2", **weekly_page(data, places, number))
    return pages


def place_navigation(places: PlaceData) -> list:
    geography = places.geography
    groups: dict[str, list] = {}
    for place in geography.neighborhoods:
        group = f"District {place.district}" if place.district is not None else "District not known"
        groups.setdefault(group, []).append({nav_title(place.name): neighborhood_path(place)})
    return [
        {"Districts": ["districts/index.md"] + [{f"District {d}": f"districts/{d}.md"} for d in geography.districts]},
        {"Neighborhoods": ["neighborhoods/index.md"] + [{group: groups[group]} for group in sorted(groups)]},
        {
            "Weekly report": ["weekly/index.md"]
            + [{f"District {d}": f"weekly/district-{d}.md"} for d in geography.districts]
        },
        {"Maps": ["maps/index.md", {"Last 28 days": "maps/recent.md"}]},
    ]
