"""One function per chart, each returning an altair chart built from a small aggregated frame."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colours with at least 4.5:1 contrast against the white page (WCAG AA for text and graphics).
INK = "#1f4e79"
MUTED = "#595959"
HEIGHT = 260


def _finish(chart: alt.Chart | alt.LayerChart, description: str) -> alt.Chart | alt.LayerChart:
    return chart.properties(width="container", height=HEIGHT, description=description)


BREAK_LABEL = "UCR | NIBRS"


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


def yearly_bars(frame: pd.DataFrame, y_title: str, description: str, break_year: int | None = None) -> alt.Chart:
    """Bars of `count` by `year`; years not fully in the data are grey; the methods break is marked."""
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
    if break_year is None:
        return _finish(bars, description)
    return _finish(alt.layer(bars, _break_rule("year", break_year, "O")), description)


def monthly_line(
    frame: pd.DataFrame, value: str, y_title: str, description: str, break_month: str | None = None
) -> alt.Chart:
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
    return _finish(alt.layer(line, _break_rule("month", f"{break_month}-01", "T")), description)


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
