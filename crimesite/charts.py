"""One function per chart, each returning an altair chart built from a small aggregated frame."""

from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

# Colours with at least 4.5:1 contrast against the white page (WCAG AA for text and graphics).
INK = "#1f4e79"
MUTED = "#595959"
HEIGHT = 260
# Another source's figures: a dark orange (6.2:1 against white) diamond with a white rim, so that it also stands
# out where it sits on a blue bar.
OTHER = "#a33b00"
OTHER_SHAPE = "diamond"


def checked(enabled: bool):
    """Whether altair checks every chart object against the Vega-Lite schema as it is made. The golden test
    build checks them all (build.run's validate_charts, which static_charts.Charts holds); a site build skips
    it: it is a quarter of the page time."""
    return alt.utils.schemapi.debug_mode(enabled)


def _finish(chart: alt.Chart | alt.LayerChart, description: str) -> alt.Chart | alt.LayerChart:
    return chart.properties(width="container", height=HEIGHT, description=description)


BREAK_LABEL = "UCR | NIBRS"


# Keys that stay at the top of a layered spec; the rest of a single chart's spec becomes its layer.
_TOP_LEVEL = ("$schema", "config", "datasets", "width", "height", "description")

# Years and months that no file stands for are drawn as a grey band labelled NO_FILES across the chart, never
# as 0: every time-series chart (yearly_bars, monthly_line) marks them the same way. MUTED text on GAP_FILL has
# a contrast of 6:1.
NO_FILES = "no files"
GAP_FILL = "#ebebeb"


def _layered(
    chart: alt.Chart | alt.LayerChart, description: str, below: list[dict], above: list[dict]
) -> alt.Chart | dict:
    """The chart's Vega-Lite spec with marker layers (specs of two-mark layers sharing one dataset) drawn below
    and above it: the same spec as `alt.layer(...)` gives, assembled from the specs, because altair's layering
    costs about 25 ms a chart (six times the chart itself) and the site has a few hundred of them."""
    if not below and not above:
        return _finish(chart, description)
    single = _finish(chart, description).to_dict(validate=False)
    unit = {key: part for key, part in single.items() if key not in _TOP_LEVEL}
    spec = {key: single[key] for key in _TOP_LEVEL if key in single}
    spec["datasets"] = dict(single.get("datasets", {}))
    for marker in below + above:
        spec["datasets"].update(marker["datasets"])
    spec["layer"] = (
        [{"layer": m["layer"], "data": m["data"]} for m in below]
        + [unit]
        + [{"layer": m["layer"], "data": m["data"]} for m in above]
    )
    return spec


@functools.lru_cache(maxsize=64)
def _marker_cached(kind: str, key: str) -> str:
    arguments = json.loads(key)
    chart = {"break": _break_rule, "year_gaps": _year_gaps, "month_gaps": _month_gaps}[kind](*arguments)
    return json.dumps(chart.to_dict(validate=False))


def _marker(kind: str, *arguments: object) -> dict:
    """A marker layer's spec, made once per build for the same arguments; a fresh copy: callers may change it."""
    return json.loads(_marker_cached(kind, json.dumps(arguments)))


def _break_rule(field: str, value: object, kind: str, domain: list | None = None) -> alt.LayerChart:
    """A dashed vertical line with a label where the reporting system changed."""
    marker = pd.DataFrame({field: [value], "label": [BREAK_LABEL]})
    band = {"bandPosition": 0} if kind == "O" else {}
    scale = {"scale": alt.Scale(domain=domain)} if domain else {}
    rule = (
        alt.Chart(marker)
        .mark_rule(color=MUTED, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=alt.X(f"{field}:{kind}", **band, **scale))
    )
    text = (
        alt.Chart(marker)
        .mark_text(align="center", baseline="bottom", dy=-4, color=MUTED, fontSize=11)
        .encode(x=alt.X(f"{field}:{kind}", **band, **scale), y=alt.value(0), text="label:N")
    )
    return rule + text


def _gap_label(chart: alt.Chart) -> alt.Chart:
    """The NO_FILES label, upright along the band, in the middle of the chart's height."""
    return chart.mark_text(angle=270, align="center", baseline="middle", color=MUTED, fontSize=11)


def _year_gaps(years: list[int], domain: list[int]) -> alt.LayerChart:
    """A full-height grey band labelled NO_FILES on each year that no file stands for."""
    marker = pd.DataFrame({"year": years, "label": [NO_FILES] * len(years)})
    x = alt.X("year:O", scale=alt.Scale(domain=domain))
    tooltip = [alt.Tooltip("year:O", title="Year"), alt.Tooltip("label:N", title="Data")]
    band = alt.Chart(marker).mark_bar(color=GAP_FILL).encode(x=x, tooltip=tooltip)
    return band + _gap_label(alt.Chart(marker)).encode(x=x, y=alt.value(HEIGHT / 2), text="label:N")


def _month_gaps(month_runs: list[list[str]]) -> alt.LayerChart:
    """A full-height grey band labelled NO_FILES over each run of months (first, last as YYYY-MM) without a file."""
    rows = []
    for first, last in month_runs:
        start, end = pd.Period(first, freq="M").start_time, (pd.Period(last, freq="M") + 1).start_time
        middle = start + (end - start) / 2
        rows.append(
            {
                "start": start.strftime("%Y-%m-%d"),
                "end": end.strftime("%Y-%m-%d"),
                "middle": middle.strftime("%Y-%m-%d"),
                "months": f"{first} to {last}",
                "label": NO_FILES,
            }
        )
    marker = pd.DataFrame(rows)
    tooltip = [alt.Tooltip("months:N", title="Months"), alt.Tooltip("label:N", title="Data")]
    band = alt.Chart(marker).mark_rect(color=GAP_FILL).encode(x="start:T", x2="end:T", tooltip=tooltip)
    return band + _gap_label(alt.Chart(marker)).encode(x="middle:T", y=alt.value(HEIGHT / 2), text="label:N")


COVERAGE_COLOURS = {"Whole year": INK, "Part of the year": MUTED}


def other_points(frame: pd.DataFrame, label: str, y_title: str, domain: list[int]) -> alt.Chart:
    """Another source's yearly figures as marked points: `year`, `value`, `source` (its name) and `as_of` (the date
    of the copy), in the legend as `label`."""
    return (
        alt.Chart(frame.assign(series=label))
        .mark_point(shape=OTHER_SHAPE, filled=True, size=110, opacity=1, color=OTHER, stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X("year:O", title="Year", scale=alt.Scale(domain=domain)),
            y=alt.Y("value:Q", title=y_title),
            shape=alt.Shape(
                "series:N",
                title=None,
                scale=alt.Scale(domain=[label], range=[OTHER_SHAPE]),
                legend=alt.Legend(orient="bottom", symbolFillColor=OTHER, symbolStrokeColor=OTHER),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("value:Q", title=label, format=","),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("as_of:N", title="Copy of"),
            ],
        )
    )


def yearly_bars(
    frame: pd.DataFrame,
    y_title: str,
    description: str,
    break_year: int | None = None,
    missing_years: tuple[int, ...] = (),
    other: pd.DataFrame | None = None,
    other_label: str = "",
) -> alt.Chart | dict:
    """Bars of `count` by `year`; years not fully in the data are grey; the methods break is marked. The axis
    runs through every year from the first to the last of the frame's and `other`'s: the years in
    `missing_years` (no file) between the frame's first and last are a grey band labelled NO_FILES, not a bar.
    `other`: another source's figures (see other_points), a layer of their own, never added to the bars."""
    present = sorted(int(year) for year in frame["year"])
    has_other = other is not None and not other.empty
    axis_years = sorted(present + ([int(year) for year in other["year"]] if has_other else []))
    domain = list(range(axis_years[0], axis_years[-1] + 1)) if axis_years else []
    gaps = [year for year in missing_years if present and present[0] < year < present[-1]]
    # The legend names only the kinds of year the chart shows.
    shown = [label for label in COVERAGE_COLOURS if label in set(frame["coverage"])]
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            # On a phone 13 or more years are too many for upright labels side by side: every other one is
            # dropped when they would overlap.
            x=alt.X(
                "year:O",
                title="Year",
                scale=alt.Scale(domain=domain),
                # Explicit, or the layers drawn first (the gap bands) give their ordinal defaults (labels
                # upright, aligned right) to the shared axis.
                axis=alt.Axis(
                    labelAngle=0, labelAlign="center", labelBaseline="top", labelOverlap="parity", labelSeparation=4
                ),
            ),
            y=alt.Y("count:Q", title=y_title),
            color=alt.Color(
                "coverage:N",
                title=None,
                scale=alt.Scale(domain=shown, range=[COVERAGE_COLOURS[label] for label in shown]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("count:Q", title=y_title, format=","),
                alt.Tooltip("coverage:N", title="Months in the data"),
            ],
        )
    )
    chart = alt.layer(bars, other_points(other, other_label, y_title, domain)) if has_other else bars
    below = [_marker("year_gaps", gaps, domain)] if gaps else []
    above = [_marker("break", "year", break_year, "O", domain)] if break_year in domain else []
    return _layered(chart, description, below, above)


def monthly_line(
    frame: pd.DataFrame,
    value: str,
    y_title: str,
    description: str,
    break_month: str | None = None,
    missing_runs: tuple[tuple[str, str], ...] = (),
) -> alt.Chart | dict:
    """A line of `value` by `month` (YYYY-MM), broken at gaps (`segment`), with the methods break marked. The
    runs of months no file stands for (`missing_runs`, (first, last)) inside the frame's span are a grey band
    labelled NO_FILES."""
    line = (
        alt.Chart(frame)
        .mark_line(color=INK, point=False)
        .encode(
            x=alt.X("month:T", title="Month", timeUnit="yearmonth"),
            y=alt.Y(f"{value}:Q", title=y_title),
            detail="segment:N",
            tooltip=[
                alt.Tooltip("month:T", title="Month", timeUnit="yearmonth"),
                alt.Tooltip(f"{value}:Q", title=y_title, format=","),
            ],
        )
    )
    months = sorted(frame["month"])
    gaps = [list(run) for run in missing_runs if months and months[0] < run[0] and run[1] < months[-1]]
    below = [_marker("month_gaps", gaps)] if gaps else []
    above = [_marker("break", "month", f"{break_month}-01", "T")] if break_month is not None else []
    return _layered(line, description, below, above)


def category_bars(frame: pd.DataFrame, description: str) -> alt.Chart:
    """Horizontal bars of `count` by category `name`, largest first."""
    return _finish(
        alt.Chart(frame)
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("name:N", title=None, sort="-x"),
            x=alt.X("count:Q", title="Crimes"),
            tooltip=[alt.Tooltip("name:N", title="Category"), alt.Tooltip("count:Q", title="Crimes", format=",")],
        ),
        description,
    )


# ----- maps -------------------------------------------------------------------------------------------
MAP_HEIGHT = 460
NO_VALUE = "#f2f2f2"
EDGE = "#404040"
# One colour and one shape per category on the incident map, so it reads without colour too. Each colour
# has at least 3:1 contrast against the white page (WCAG AA for graphics).
POINT_COLOURS = ("#1f4e79", "#a33b00", "#2e6b30", "#7b2d8e", "#8a1c1c", "#595959", "#006d6f", "#6b5200")
POINT_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "stroke")


def _shapes(name: str) -> alt.NamedData:
    """Boundaries by name: chart_block puts the features in the spec's `datasets` as they are, which
    spares altair walking every coordinate."""
    return alt.NamedData(name=name)


def _backdrop(shapes: str, stroke_width: float) -> alt.Chart:
    """The grey outlines a map draws its values over. They carry no data, so they are left out of the SVG's
    accessibility tree (`aria=False`); unlabelled, each shape would be an image without a text alternative."""
    return alt.Chart(_shapes(shapes)).mark_geoshape(fill=NO_VALUE, stroke=EDGE, strokeWidth=stroke_width, aria=False)


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows for an inline dataset, with missing values as null (JSON has no NaN)."""
    return [{k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _area_labels(shapes: str) -> list[alt.Chart]:
    """Each area's id (a district's number) at its centroid, black on a white outline so that it reads on the
    darkest shade. Vega finds the centroid (`geoCentroid` without a projection gives longitude and latitude)."""
    base = alt.Chart(_shapes(shapes)).transform_calculate(centroid="geoCentroid(null, datum)", label="datum.id")
    position = {"longitude": "centroid[0]:Q", "latitude": "centroid[1]:Q", "text": "label:N"}
    halo = base.mark_text(fontSize=13, fontWeight="bold", stroke="white", strokeWidth=3, aria=False)
    return [halo.encode(**position), base.mark_text(fontSize=13, fontWeight="bold", color="black").encode(**position)]


def choropleth(
    shapes: str,
    values: pd.DataFrame,
    options: list[tuple[str, str]],
    value_title: str,
    description: str,
    summaries: dict[str, str] | None = None,
    labels: bool = False,
) -> alt.LayerChart:
    """Areas shaded by `v_<option>`, one option at a time, picked from a menu (the first is shown first).

    `shapes` names the dataset of boundary features; `values` has `id` (the feature id), `name`, and
    `v_<key>` and `n_<key>` (value and count) per option.
    Areas without a value are light grey; the tooltip gives the name, value and count. `summaries` (option key
    -> text) go in the spec's `usermeta`: assets/javascripts/charts.js shows the picked option's as the caption.
    `labels` writes each area's id on it (for a few large areas, such as districts).
    """
    pick = alt.param(
        name="pick",
        value=options[0][0],
        bind=alt.binding_select(options=[k for k, _ in options], labels=[label for _, label in options], name="Show "),
    )
    fields = [c for c in values.columns if c != "id"]
    base = _backdrop(shapes, 0.5)
    shaded = (
        alt.Chart(_shapes(shapes))
        .mark_geoshape(stroke=EDGE, strokeWidth=0.5)
        .transform_lookup(
            lookup="id", from_=alt.LookupData(data=alt.InlineData(values=_records(values)), key="id", fields=fields)
        )
        .transform_calculate(value="datum['v_' + pick]", count="datum['n_' + pick]")
        .transform_filter("isValid(datum.value)")
        .encode(
            color=alt.Color("value:Q", title=value_title, scale=alt.Scale(scheme="blues", zero=True)),
            tooltip=[
                alt.Tooltip("name:N", title="Area"),
                alt.Tooltip("value:Q", title=value_title, format=",.1f"),
                alt.Tooltip("count:Q", title="Crimes", format=","),
            ],
        )
    )
    layers = [base, shaded] + (_area_labels(shapes) if labels else [])
    chart = (
        alt.layer(*layers)
        .add_params(pick)
        .project(type="mercator")
        .properties(width="container", height=MAP_HEIGHT, description=description)
    )
    return chart.properties(usermeta={"summaries": summaries}) if summaries else chart


def points_map(shapes: str, points: str, categories: list[str], description: str) -> alt.LayerChart:
    """Incidents as points over the boundaries named `shapes`. `points` is CSV text with x, y (block-level longitude and
    latitude), category, block and n (crimes at that point); a menu filters by category."""
    pick = alt.param(
        name="pick",
        value="All",
        bind=alt.binding_select(options=["All", *categories], name="Crime "),
    )
    base = _backdrop(shapes, 0.7)
    data = alt.InlineData(
        values=points, format=alt.CsvDataFormat(type="csv", parse={"x": "number", "y": "number", "n": "number"})
    )
    scale = {"domain": categories, "range": list(POINT_COLOURS[: len(categories)])}
    dots = (
        alt.Chart(data)
        .mark_point(filled=True, size=40, opacity=0.85)
        .transform_filter("pick == 'All' || datum.category == pick")
        .encode(
            longitude="x:Q",
            latitude="y:Q",
            color=alt.Color(
                "category:N", title="Crime", scale=alt.Scale(**scale), legend=alt.Legend(orient="bottom", columns=2)
            ),
            shape=alt.Shape(
                "category:N",
                title="Crime",
                scale=alt.Scale(domain=categories, range=list(POINT_SHAPES[: len(categories)])),
            ),
            tooltip=[
                alt.Tooltip("category:N", title="Crime"),
                alt.Tooltip("block:N", title="Block"),
                alt.Tooltip("n:Q", title="Crimes here"),
            ],
        )
    )
    return (
        alt.layer(base, dots)
        .add_params(pick)
        .project(type="mercator")
        .properties(width="container", height=MAP_HEIGHT, description=description)
    )


def ranked_bars(frame: pd.DataFrame, value_title: str, description: str) -> alt.Chart:
    """Horizontal bars of `value` by `name`, largest first (the chart maps fall back to)."""
    return (
        alt.Chart(frame)
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("name:N", title=None, sort="-x"),
            x=alt.X("value:Q", title=value_title),
            tooltip=[alt.Tooltip("name:N", title="Area"), alt.Tooltip("value:Q", title=value_title, format=",.1f")],
        )
        .properties(width="container", height=max(HEIGHT, 16 * len(frame)), description=description)
    )


def revision_lines(frame: pd.DataFrame, releases: list[str], y_title: str, description: str) -> alt.Chart:
    """One line of dots per month (`month_name`): its `count` as of each `release` (in the order of `releases`),
    each month in its own colour and shape, so that the chart reads without colour too."""
    months = list(dict.fromkeys(frame["month_name"]))
    colours, shapes = list(POINT_COLOURS[: len(months)]), list(POINT_SHAPES[: len(months)])
    return _finish(
        alt.Chart(frame)
        .mark_line(point=alt.OverlayMarkDef(size=60, filled=True))
        .encode(
            x=alt.X("release:O", title="Release", sort=releases, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=y_title, scale=alt.Scale(zero=False)),
            color=alt.Color("month_name:N", title="Month", sort=months, scale=alt.Scale(domain=months, range=colours)),
            shape=alt.Shape("month_name:N", title="Month", sort=months, scale=alt.Scale(domain=months, range=shapes)),
            tooltip=[
                alt.Tooltip("month_name:N", title="Month"),
                alt.Tooltip("release:O", title="Release"),
                alt.Tooltip("count:Q", title=y_title, format=","),
            ],
        ),
        description,
    )
