"""One function per chart, each returning an altair chart built from a small aggregated frame."""

from __future__ import annotations

import altair as alt
import pandas as pd

# Colours with at least 4.5:1 contrast against the white page (WCAG AA for text and graphics).
INK = "#1f4e79"
MUTED = "#595959"
HEIGHT = 260


def _base(frame: pd.DataFrame, description: str) -> alt.Chart:
    return alt.Chart(frame, description=description).properties(width="container", height=HEIGHT)


def yearly_bars(frame: pd.DataFrame, y_title: str, description: str) -> alt.Chart:
    """Bars of `count` by `year`; years not fully in the data are drawn in grey and labelled."""
    return (
        _base(frame, description)
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


def monthly_line(frame: pd.DataFrame, value: str, y_title: str, description: str) -> alt.Chart:
    """A line of `value` by `month` (YYYY-MM)."""
    return (
        _base(frame, description)
        .mark_line(color=INK, point=False)
        .encode(
            x=alt.X("month:T", title="Month", timeUnit="yearmonth"),
            y=alt.Y(f"{value}:Q", title=y_title),
            tooltip=[
                alt.Tooltip("month:T", title="Month", timeUnit="yearmonth"),
                alt.Tooltip(f"{value}:Q", title=y_title, format=","),
            ],
        )
    )


def category_bars(frame: pd.DataFrame, description: str) -> alt.Chart:
    """Horizontal bars of `count` by category `name`, largest first."""
    return (
        _base(frame, description)
        .mark_bar(color=INK)
        .encode(
            y=alt.Y("name:N", title=None, sort="-x"),
            x=alt.X("count:Q", title="Crimes"),
            tooltip=[alt.Tooltip("name:N", title="Category"), alt.Tooltip("count:Q", title="Crimes", format=",")],
        )
    )
