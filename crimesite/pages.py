"""The citywide pages: one Jinja environment, the context every page shares, and the navigation."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from crimesite import escape, months, paths
from crimesite.claim_pages import claims_page, goals_page
from crimesite.crime_pages import crime_page, shootings_page, year_page
from crimesite.home_pages import crime_index, headline, homicide_trend, releases_so_far, year_index
from crimesite.method_pages import methodology_page, quality_page, repository_path, revisions_page
from crimesite.page_blocks import Block, as_code
from crimesite.page_format import fmt_change, fmt_int, fmt_percent, nav_title
from crimesite.placemetrics import UNKNOWN_LABEL
from crimesite.sitedata import SiteData
from crimesite.static_charts import Charts

MACROS = "_macros.md.j2"


def environment() -> Environment:
    """The one Jinja environment every page is rendered with (StrictUndefined: a missing variable is an error).
    A block (page_blocks.Block: a table, a figure, a link) is set by its macro in templates/_macros.md.j2."""

    macros: list = []  # the macros' module, loaded on the first block (it needs the environment itself)

    def finalize(value: object) -> object:
        if isinstance(value, Block):
            if not macros:
                macros.append(env.get_template(MACROS).module)
            return getattr(macros[0], value.macro)(value)
        return value

    env = Environment(
        loader=FileSystemLoader(paths.TEMPLATES),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    # Our own words and numbers are set as they are; a value from a raw or reference file is escaped where it
    # is put: by the page builders (escape.text) or in the template (`| text`).
    env.filters.update(
        n=fmt_int, change=fmt_change, percent=fmt_percent, code=as_code, text=escape.text, year=months.year_of
    )
    return env


def renderer(data: SiteData) -> Callable[..., str]:
    """A function rendering a template with the context every page shares and the page's own."""
    env = environment()
    methods_break = data.config.methods_break
    common = {
        "site": data.config,
        # SLMPD's own wording (its files, FAQ and history) is for its reader; any other reader gets neutral text.
        "slmpd": data.config.reader.format == "slmpd",
        "columns": data.config.reader.csv.columns if data.config.reader.csv else None,
        "methods_break": months.label(methods_break) if methods_break else None,
        "data_through": months.label(data.cover.last),
        "first_month": months.label(data.cover.first),
        # The months no file stands for, as runs ("January 2021 to December 2023"): a span is never read as whole.
        "missing_runs": [months.run_label(first, last) for first, last in data.cover.missing_month_runs],
        "sample": data.sample,
        "files_count": len(data.files),
        "monthly_files": all(len(f.covers) <= 1 for f in data.files),  # none stands for a span (2021-2023.csv)
        "unknown_label": UNKNOWN_LABEL,
    }

    def render(template: str, page: object = None, **context: object) -> str:
        """`page`: a page context (a dataclass), whose fields the template reads as variables."""
        fields = {f.name: getattr(page, f.name) for f in dataclasses.fields(page)} if page is not None else {}
        return env.get_template(template).render(**common, **fields, **context)

    return render


def render_pages(data: SiteData, figures: Charts, render: Callable[..., str]) -> dict[str, str]:
    """The citywide pages: their paths under docs/ and their Markdown (`render`: the one renderer(data))."""
    pages = {
        "index.md": render(
            "home.md.j2",
            headline=headline(data),
            homicides=homicide_trend(data, figures),
            part1=data.part1,
            releases_so_far=releases_so_far(data),
        ),
        "crimes/index.md": render("crimes.md.j2", table=crime_index(data), latest_year=data.latest_year),
        "years/index.md": render("years.md.j2", table=year_index(data)),
        "methodology.md": render("methodology.md.j2", methodology_page(data)),
        "data-quality.md": render("data_quality.md.j2", quality=quality_page(data)),
        "claims.md": render("claims.md.j2", claims=claims_page(data), claims_file=repository_path(data.config.claims)),
        "goals.md": render(
            "goals.md.j2", goals=goals_page(data), other_label=data.other.source.label if data.other else ""
        ),
        "shootings.md": render("shootings.md.j2", shootings_page(data, figures)),
        "about.md": render("about.md.j2"),
    }
    if data.revisions is not None:
        pages["revisions.md"] = render("revisions.md.j2", revisions_page(data, figures))
    for category in data.part1:
        pages[f"crimes/{category.slug}.md"] = render("crime.md.j2", crime_page(data, figures, category))
    for year in data.cover.years:
        pages[f"years/{year}.md"] = render("year.md.j2", year_page(data, figures, year))
    return pages


def navigation(data: SiteData) -> list:
    """The site navigation, for the generated MkDocs configuration."""
    return [
        {"Home": "index.md"},
        {"Crimes": ["crimes/index.md"] + [{nav_title(c.name): f"crimes/{c.slug}.md"} for c in data.part1]},
        {"Years": ["years/index.md"] + [{str(y): f"years/{y}.md"} for y in sorted(data.cover.years, reverse=True)]},
        {"Shootings": "shootings.md"},
        {"Claims vs data": "claims.md"},
        {"Goal tracker": "goals.md"},
        {"Methodology": "methodology.md"},
        {
            "Data": [
                {"Downloads": "downloads/index.md"},
                {"Data dictionary": "downloads/dictionary.md"},
                {"Data quality": "data-quality.md"},
                *([{"Revisions": "revisions.md"}] if data.revisions is not None else []),
            ]
        },
        {"About": "about.md"},
        {"Fork this site": "fork.md"},
    ]
