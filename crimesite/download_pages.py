"""The Data section: the downloads page (files, checksums, freshness, provenance) and the data dictionary,
both from the same schema and facts as downloads/datapackage.json."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from markupsafe import Markup

from crimesite import escape, months, publish, schema
from crimesite.page_blocks import Code, Link, html_table, md_table
from crimesite.page_format import fmt_int
from crimesite.publish import FileFacts
from crimesite.sitedata import SiteData

FORMAT_LABELS = {"csv": "CSV", "csv.gz": "CSV, gzip", "parquet": "Parquet"}


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
    rows = []
    for item in facts:
        name = Path(item.path).name
        rows.append(
            [
                Link(name, name),
                item.resource.title,
                FORMAT_LABELS[item.format],
                fmt_int(item.rows),
                period_label(item),
                size_label(item.bytes),
            ]
        )
    return rows


def hash_code(sha256: str) -> Code:
    """A checksum as code that may break anywhere (site.css): unbroken, 64 characters make a column too wide
    for the page, or a narrow column makes every row ten lines tall."""
    return Code(sha256, css="hash")


def checksum_rows(facts: list[FileFacts]) -> list[list[object]]:
    return [[Path(item.path).name, hash_code(item.sha256)] for item in facts]


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
            "downloads.md.j2", files=files, checksums=checksums, raw_files=raw, fetched=fetched
        ),
        "downloads/dictionary.md": render("dictionary.md.j2", dictionary=Markup(schema.dictionary_markdown(published))),
    }
