"""The Data section: the downloads page (files, checksums, freshness, provenance) and the data dictionary,
both from the same schema and facts as downloads/datapackage.json."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from crimesite import escape, months, publish, schema
from crimesite.page_blocks import Code, Link, html_table, md_table
from crimesite.page_format import fmt_int
from crimesite.publish import FileFacts
from crimesite.sitedata import SiteData

FORMAT_LABELS = {"csv": "CSV", "csv.gz": "CSV, gzip", "parquet": "Parquet"}
# One CSV of every year from the yearly files, in the folder they were downloaded to: the names sort by year; the
# first file is copied whole and the others without their header line (a header never holds a line break; a value
# may, so lines are only ever dropped from the top of a file).
JOIN_YEARS = (
    f"skip=1; for f in {schema.YEARLY_INCIDENTS.format(year='*')}; "
    'do gzip -dc "$f" | tail -n +$skip; skip=2; done > incidents.csv'
)


def size_label(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} bytes"


def period_label(item: FileFacts) -> str:
    if not item.first:
        return "no rows"
    return item.first if item.first == item.last else f"{item.first} to {item.last}"


def file_rows(facts: list[FileFacts]) -> list[list[object]]:
    """Every file but the yearly incident files, which have their own table (year_rows)."""
    rows = []
    for item in facts:
        if item.year is None:
            rows.append(
                [
                    Link(item.name, item.name),
                    item.resource.title,
                    FORMAT_LABELS[item.format],
                    fmt_int(item.rows),
                    period_label(item),
                    size_label(item.bytes),
                ]
            )
    return rows


def year_rows(facts: list[FileFacts]) -> list[list[object]]:
    return [
        [str(item.year), fmt_int(item.rows), period_label(item), size_label(item.bytes), Link(item.name, item.name)]
        for item in facts
        if item.year is not None
    ]


def hash_code(sha256: str) -> Code:
    """A checksum as code that may break anywhere (site.css): unbroken, 64 characters make a column too wide
    for the page, or a narrow column makes every row ten lines tall."""
    return Code(sha256, css="hash")


def checksum_rows(facts: list[FileFacts]) -> list[list[object]]:
    return [[item.name, hash_code(item.sha256)] for item in facts]


def raw_file_rows(data: SiteData, urls: dict[str, str]) -> list[list[object]]:
    """One row per raw file the build read. Names and URLs are shown as text (escaped by the table)."""
    rows = []
    for info in data.files:
        span = months.key_run_label(info.months[0], info.months[-1]) if info.months else ""
        rows.append(
            [
                escape.text(info.name),
                info.format,
                span,
                fmt_int(info.rows),
                hash_code(info.sha256),
                escape.text(urls.get(info.sha256, "not fetched by this build")),
            ]
        )
    return rows


def download_pages(
    data: SiteData, facts: list[FileFacts], urls: dict[str, str], render: Callable[..., str]
) -> dict[str, str]:
    published = publish.published_resources(data.config, data.categories)
    files = md_table(["File", "What", "Format", "Rows", "Covers", "Size"], file_rows(facts), "lllrll")
    years = md_table(["Year", "Rows", "Months", "Size", "File"], year_rows(facts), "lrlll")
    checksums = md_table(["File", "SHA-256"], checksum_rows(facts), "ll")
    raw = html_table(
        "table-raw-files",
        "Raw files this build read",
        ["File", "Format", "Months", "Rows", "SHA-256", "Downloaded from"],
        raw_file_rows(data, urls),
        "lllrll",
    )
    fetched = sum(1 for info in data.files if info.sha256 in urls)
    return {
        "downloads/index.md": render(
            "downloads.md.j2",
            files=files,
            years=years,
            join_years=JOIN_YEARS,
            checksums=checksums,
            raw_files=raw,
            fetched=fetched,
            incident_schema=schema.INCIDENT_SCHEMA,
        ),
        "downloads/dictionary.md": render("dictionary.md.j2", dictionary=Markup(schema.dictionary_markdown(published))),
    }
