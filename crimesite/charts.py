"""One function per chart, each returning an altair chart built from a small aggregated frame."""

from __future__ import annotations

import functools
import json

import altair as alt
import pandas as pd

# Colours with at least 4.5:1 contrast against the white page (WCAG AA for text and graphics).
INK = "#1f4e79"
MUTED = "#595959"
# Another source's figures: a dark orange (6.2:1 against white) diamond with a white rim, so that it also stands
# out where it sits on a blue bar.
OTHER = "#a33b00"
OTHER_SHAPE = "diamond"
HEIGHT = 260


def checked(enabled: bool):
    """Whether altair checks every chart object against the Vega-Lite schema as it is made. The golden test
    build checks them all (pages.VALIDATE_CHARTS); a site build skips it: it is a quarter of the page time."""
    return alt.utils.schemapi.debug_mode(enabled)


def _finish(chart: alt.Chart | alt.LayerChart, description: str) -> alt.Chart | alt.LayerChart:
    return chart.properties(width="container", height=HEIGHT, description=description)


BREAK_LABEL = "UCR | NIBRS"


# Keys that stay at the top of a layered spec; the rest of a single chart's spec becomes its layer.
_TOP_LEVEL = ("$schema", "config", "datasets", "width", "height", "description")


def _with_break(chart: alt.Chart | alt.LayerChart, field: str, value: object, kind: str, description: str) -> dict:
    """The chart's Vega-Lite spec with the methods-break marker layered over it: the same spec as
    `alt.layer(chart, _break_rule(...))` gives, assembled from the two specs, because altair's layering costs
    about 25 ms a chart (six times the chart itself) and the site has a few hundred of them."""
    single = _finish(chart, description).to_dict(validate=False)
    marker = _break_spec(field, value, kind)
    unit = {key: part for key, part in single.items() if key not in _TOP_LEVEL}
    spec = {key: single[key] for key in _TOP_LEVEL if key in single}
    spec["datasets"] = {**single.get("datasets", {}), **marker["datasets"]}
    spec["layer"] = [unit, {"layer": marker["layer"], "data": marker["data"]}]
    return spec


@functools.lru_cache(maxsize=16)
def _break_spec_cached(field: str, value: object, kind: str) -> str:
    return json.dumps(_break_rule(field, value, kind).to_dict(validate=False))


def _break_spec(field: str, value: object, kind: str) -> dict:
    return json.loads(_break_spec_cached(field, value, kind))  # a fresh copy: callers may change it


def _break_rule(field: str, value: object, kind: str) -> alt.LayerChart:
    """A dashed vertical line with a label where the reporting system changed."""
    marker = pd.DataFrame({field: [value], "label": [BREAK_LABEL]})
    band = {"bandPosition": 0} if kind == "O" else {}
    rule = (
        alt.Chart(marker)
        .mark_rule(color=MUTED, strokeDash=[4, 3], strokeWidth=1.5)
        .encode(x=alt.X(f"{field}:{kind}", **band))
    )
    text = (
        alt.Chart(marker)
        .mark_text(align="center", baseline="bottom", dy=-4, color=MUTED, fontSize=11)
        .encode(x=alt.X(f"{field}:{kind}", **band), y=alt.value(0), text="label:N")
    )
    return rule + text


def other_points(frame: pd.DataFrame, label: str, y_title: str) -> alt.Chart:
    """Another source's yearly figures as marked points: `year`, `value`, `source` (its name) and `as_of` (the date
    of the copy), in the legend as `label`."""
    return (
        alt.Chart(frame.assign(series=label))
        .mark_point(shape=OTHER_SHAPE, filled=True, size=110, opacity=1, color=OTHER, stroke="white", strokeWidth=1.5)
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
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
    other: pd.DataFrame | None = None,
    other_label: str = "",
) -> alt.Chart | dict:
    """Bars of `count` by `year`; years not fully in the data are grey; the methods break is marked. `other`:
    another source's figures for the same years (see other_points), a layer of their own, never added to the bars."""
    bars = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=y_title),
            color=alt.Color(
                "coverage:N",
                title=None,
                scale=alt.Scale(domain=["Whole year", "Part of the year"], range=[INK, MUTED]),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("year:O", title="Year"),
                alt.Tooltip("count:Q", title=y_title, format=","),
                alt.Tooltip("coverage:N", title="Months in the data"),
            ],
        )
    )
    chart = bars if other is None or other.empty else alt.layer(bars, other_points(other, other_label, y_title))
    if break_year is None:
        return _finish(chart, description)
    return _with_break(chart, "year", break_year, "O", description)


def monthly_line(
    frame: pd.DataFrame, value: str, y_title: str, description: str, break_month: str | None = None
) -> alt.Chart | dict:
    """A line of `value` by `month` (YYYY-MM), broken at gaps (`segment`), with the methods break marked."""
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
    if break_month is None:
        return _finish(line, description)
    return _with_break(line, "month", f"{break_month}-01", "T", description)


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


def choropleth(
    shapes: str, values: pd.DataFrame, options: list[tuple[str, str]], value_title: str, description: str
) -> alt.LayerChart:
    """Areas shaded by `v_<option>`, one option at a time, picked from a menu (the first is shown first).

    `shapes` names the dataset of boundary features; `values` has `id` (the feature id), `name`, and
    `v_<key>` and `n_<key>` (value and count) per option.
    Areas without a value are light grey; the tooltip gives the name, value and count.
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
    return (
        alt.layer(base, shaded)
        .add_params(pick)
        .project(type="mercator")
        .properties(width="container", height=MAP_HEIGHT, description=description)
    )


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
