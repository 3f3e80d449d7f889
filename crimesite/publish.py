"""The published data: every table the pages use, the cleaned incident table, their checksums and the
Frictionless data package that describes them (downloads/datapackage.json)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from crimesite import cache, incidents, months, places, privacy, revisions, schema, sources
from crimesite.placemetrics import UNKNOWN_LABEL

DOWNLOADS = "downloads"
PACKAGE = f"{DOWNLOADS}/datapackage.json"
CHECKSUMS = f"{DOWNLOADS}/SHA256SUMS"
REVISIONS = "revisions"  # published only when some release revises months (NIBRS)
INCIDENTS = "incidents"
FORMATS = ("csv.gz", "csv", "parquet")  # the published files' formats, by the end of their names
# Level 6 of zlib; level 4 makes the files 6% larger for 40% less CPU. The years are compressed in parallel
# instead (COMPRESSING_THREADS), beside the Parquet writer.
GZIP_LEVEL = 6
COMPRESSING_THREADS = 2
LICENSE = {
    "name": "ODC-PDDL-1.0",
    "title": "Open Data Commons Public Domain Dedication and License 1.0",
    "path": "https://opendatacommons.org/licenses/pddl/1-0/",
}


@dataclass(frozen=True)
class TableFile:
    """One published file of a table, as made: where it goes, its bytes, and the rows and period it holds."""

    path: str  # under the docs folder (downloads/...)
    content: bytes
    rows: int
    first: str  # the period it covers, as its time field writes it ("" when it has no rows)
    last: str
    year: int | None = None  # the counting year a yearly incident file holds


@dataclass(frozen=True)
class FileFacts:
    """What the downloads page and the data package say about one published file."""

    path: str  # under the docs folder (downloads/...)
    resource: schema.Resource
    format: str  # csv, csv.gz, parquet
    rows: int
    bytes: int
    sha256: str
    first: str  # the period it covers, as its time field writes it
    last: str
    year: int | None = None  # the counting year a yearly incident file holds

    @property
    def name(self) -> str:
        """The file's path under downloads/, as the data package and SHA256SUMS give it."""
        return self.path.removeprefix(f"{DOWNLOADS}/")


def published_resources(config, categories) -> tuple[schema.Resource, ...]:
    """Every published table's schema, naming the raw columns of the configured reader, and the other sources'
    files (site.yml `other_sources:`)."""
    others = tuple(
        schema.other_figures_resource(other_file_name(source), categories, source.name, source.url)
        for source in config.other_sources
    )
    return schema.resources(categories, sources.source_columns(config.reader)) + others


def other_file_name(source) -> str:
    """The resource name of another source's file (`source`: a config.OtherSource): its stem, made a valid name."""
    stem = source.file.name.removesuffix(".csv")
    return re.sub(r"[^a-z0-9_.-]+", "-", stem.lower()).strip("-") or "other_source"


def aggregate_tables(data) -> dict[str, pd.DataFrame]:
    """resource name -> the table, with the columns of its schema (`data` is a pages.SiteData)."""
    slugs = {c.slug: c for c in data.categories}
    part1 = [c.slug for c in data.part1]
    annual = data.annual.assign(part=data.annual["category"].map(lambda s: slugs[s].part))
    annual = annual.assign(era=annual["year"].map(data.cover.year_era))
    monthly = data.monthly.assign(part=data.monthly["category"].map(lambda s: slugs[s].part))
    monthly = monthly.assign(era=monthly["month"].map(data.cover.era))
    rolling = data.rolling[data.rolling["category"].isin(part1)].rename(columns={"rolling_12": "count_12_months"})
    rolling = rolling.assign(era=rolling["month"].map(data.cover.era))
    place = data.places
    names = neighborhood_names(place.geography)
    neighborhood_annual = place.neighborhood_annual.rename(columns={"place": "neighborhood"})
    neighborhood_annual.insert(2, "neighborhood_name", neighborhood_annual["neighborhood"].map(names))
    tables = {
        "annual_counts": annual,
        "monthly_counts": monthly,
        "rolling_12_month_counts": rolling,
        "shootings_monthly": data.shootings,
        "neighborhood_annual_counts": neighborhood_annual,
        "district_annual_counts": place.district_annual.rename(columns={"place": "district"}),
        "neighborhood_rates": rate_table(place.neighborhood_rates, place.rate_year, "neighborhood", names),
        "district_rates": rate_table(place.district_rates, place.rate_year, "district", None),
        "weekly_counts": place.weekly_series,
        "claims_checked": claims_table(data.claims),
    }
    if data.revisions is not None:
        tables[REVISIONS] = revisions.published_table(data.revisions)
    return {name: frame.reset_index(drop=True) for name, frame in tables.items()}


def neighborhood_names(geography: places.Geography) -> dict[int, str]:
    return {n.number: n.name for n in geography.neighborhoods} | {places.UNKNOWN: UNKNOWN_LABEL}


def rate_table(rates: pd.DataFrame, year: int, key: str, names: dict[int, str] | None) -> pd.DataFrame:
    table = rates.rename(columns={"place": key, "rate": "rate_per_1000"}).assign(year=year)
    columns = ["year", key, "category", "count", "population", "rate_per_1000", "rank"]
    if names is not None:
        table["neighborhood_name"] = table[key].map(names)
        columns.insert(2, "neighborhood_name")
    return table[columns]


def claims_table(checks) -> pd.DataFrame:
    """One row per checked claim (column by column, so that no claims still gives the columns)."""
    return pd.DataFrame(
        {
            "claim_id": [item.claim.id for item in checks],
            "statement": [item.claim.statement for item in checks],
            "measure": [item.claim.measure for item in checks],
            "category": [item.claim.category for item in checks],
            "year": [item.claim.year for item in checks],
            "figure_claimed": [item.claim.figure for item in checks],
            "figure_in_data": [item.computed for item in checks],
            "verdict": [item.verdict for item in checks],
            "reason": [item.reason for item in checks],
            "figure_other_source": [item.other.computed if item.other else None for item in checks],
            "verdict_other_source": [item.other.verdict if item.other else None for item in checks],
            "reason_other_source": [item.other.reason if item.other else None for item in checks],
        }
    )


def incident_table(table: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """The canonical table as published: each row at its block's position (`positions`, from
    privacy.block_positions, the map's too), and no location at all for the rows of an incident that holds a
    sexual offense (`location_status` `withheld`)."""
    withheld = table["sexual_incident"].to_numpy(dtype=bool)
    longitude, latitude = privacy.published_positions(table, positions)
    published = table.drop(columns=list(incidents.UNPUBLISHED)).assign(longitude=longitude, latitude=latitude)
    published["block"] = published["block"].mask(withheld)
    status = published["location_status"].cat.add_categories([schema.LOCATION_WITHHELD])
    published["location_status"] = status.mask(withheld, schema.LOCATION_WITHHELD)
    return published


def schema_columns(name: str, frame: pd.DataFrame, resource: schema.Resource) -> pd.DataFrame:
    """The table with exactly its schema's columns, in the schema's order."""
    expected = [f.name for f in resource.fields]
    if sorted(frame.columns) != sorted(expected):
        raise ValueError(f"published table {name}: columns are {list(frame.columns)}, expected {expected}")
    return frame[expected]


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def incident_files(table: pd.DataFrame) -> list[TableFile]:
    """The published incident table (`table`, with its schema's columns) as one Parquet file and one gzip CSV per
    counting year, in counting order: the yearly files one after the other are the Parquet's rows in its order.
    Arrow writes 650,000 rows in a fraction of pandas' time."""
    arrow = in_counting_order(pa.Table.from_pandas(table, preserve_index=False))
    text, years = as_text(arrow), year_runs(arrow)
    # Arrow's CSV and Parquet writers and zlib release the GIL: the years are written and compressed on two
    # threads while this one writes the Parquet file.
    with ThreadPoolExecutor(max_workers=COMPRESSING_THREADS) as pool:
        yearly = [pool.submit(yearly_file, text.slice(run.start, run.rows), run) for run in years]
        first, last = (years[0].first, years[-1].last) if years else ("", "")
        whole = TableFile(f"{DOWNLOADS}/{schema.INCIDENT_PARQUET}", parquet_bytes(arrow), arrow.num_rows, first, last)
        return [whole, *(made.result() for made in yearly)]


@dataclass(frozen=True)
class YearRun:
    """The rows of one counting year in a table in counting order: rows start to start + rows - 1."""

    year: int
    start: int
    rows: int
    first: str  # its first and last month, as months.key_of writes them
    last: str


def in_counting_order(arrow: pa.Table) -> pa.Table:
    """By year and month; the sort is stable, so within a month the rows stay as the raw files list them."""
    return arrow.take(pc.sort_indices(arrow, sort_keys=[("year", "ascending"), ("month", "ascending")]))


def year_runs(arrow: pa.Table) -> list[YearRun]:
    """The counting years of a table in counting order, each with where its rows are."""
    if arrow["year"].null_count or arrow["month"].null_count:
        raise ValueError("published incidents: a row has no counting year or month")
    years, numbers = arrow["year"].to_numpy(), arrow["month"].to_numpy()
    starts = [0, *(np.flatnonzero(np.diff(years)) + 1)] if len(years) else []
    ends = [*starts[1:], len(years)]
    return [
        YearRun(
            int(years[start]),
            int(start),
            int(end - start),
            months.key_of(int(years[start]), int(numbers[start])),
            months.key_of(int(years[start]), int(numbers[end - 1])),
        )
        for start, end in zip(starts, ends, strict=True)
    ]


def as_text(arrow: pa.Table) -> pa.Table:
    """The table as the CSV files write it: `occurred_at` as YYYY-MM-DDTHH:MM:SS (Arrow's own text of a timestamp
    has a space for the T: casting and replacing that character is ten times faster than strftime), and the
    categorical columns as their values, which Arrow's CSV writer needs."""
    columns = []
    for name, column in zip(arrow.column_names, arrow.columns, strict=True):
        if name == "occurred_at":
            column = pc.utf8_replace_slice(column.cast(pa.timestamp("s")).cast(pa.string()), 10, 11, "T")
        elif pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        columns.append(column)
    return pa.table(columns, names=arrow.column_names)


def yearly_file(text: pa.Table, run: YearRun) -> TableFile:
    """One counting year's gzip CSV, header included (`text`: its rows, from as_text). mtime=0 and no file name
    in the gzip header: the same rows always give the same bytes."""
    out = io.BytesIO()
    pacsv.write_csv(text, out, pacsv.WriteOptions(quoting_style="needed", batch_size=1 << 16))
    content = gzip.compress(out.getvalue(), compresslevel=GZIP_LEVEL, mtime=0)
    path = f"{DOWNLOADS}/{schema.yearly_incident_file(run.year)}"
    return TableFile(path, content, run.rows, run.first, run.last, run.year)


def parquet_bytes(arrow: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(arrow, out, compression="zstd")
    return out.getvalue()


def incident_contents(data) -> list[TableFile]:
    """The incident files of a build (`data`: pages.SiteData), as the published schema has them."""
    resource = next(r for r in published_resources(data.config, data.categories) if r.name == INCIDENTS)
    table = incident_table(data.incidents, data.places.block_positions)
    return incident_files(schema_columns(INCIDENTS, table, resource))


def period(frame: pd.DataFrame) -> tuple[str, str]:
    """The first and last time the table covers, from its first time field."""
    if frame.empty:
        return "", ""
    for name in ("month", "week_start", "year"):
        if name in frame.columns:
            values = frame[name].astype(str)
            return values.min(), values.max()
    return "", ""


def table_file(name: str, frame: pd.DataFrame, content: bytes) -> TableFile:
    """The one CSV file of a table (`frame`: its rows, `content`: its bytes)."""
    return TableFile(f"{DOWNLOADS}/{name}.csv", content, len(frame), *period(frame))


def published_files(data, incidents: list[TableFile] | None = None) -> tuple[dict[str, bytes], list[FileFacts]]:
    """Every published file but the package and the checksums (path under the docs folder -> bytes), and the
    facts about each table's files. `incidents`: the incident files, when incident_contents() already made them
    (the build does, beside the pages)."""
    resources = {r.name: r for r in published_resources(data.config, data.categories)}
    tables = aggregate_tables(data)
    files: dict[str, bytes] = {}
    facts = []
    for name, resource in resources.items():
        if name == REVISIONS and name not in tables:  # no release revises a month: nothing to publish
            continue
        if name == INCIDENTS:
            made = incidents if incidents is not None else incident_contents(data)
        elif name not in tables:  # another source's file, published byte for byte as it was read
            made = [table_file(name, data.other.table, data.other.content)]
        else:
            frame = schema_columns(name, tables[name], resource)
            made = [table_file(name, frame, csv_bytes(frame))]
        for item in made:
            files[item.path] = item.content
            facts.append(file_facts(item, resource))
        if name == INCIDENTS:  # written once, where every incident file's resource points
            files[f"{DOWNLOADS}/{schema.INCIDENT_SCHEMA}"] = package_bytes(resource.table_schema())
    return files, facts


def file_facts(item: TableFile, resource: schema.Resource) -> FileFacts:
    file_format = next(suffix for suffix in FORMATS if item.path.endswith(f".{suffix}"))
    digest = hashlib.sha256(item.content).hexdigest()
    return FileFacts(
        item.path, resource, file_format, item.rows, len(item.content), digest, item.first, item.last, item.year
    )


def checksums(files: dict[str, bytes], facts: list[FileFacts]) -> bytes:
    """SHA256SUMS: every file under downloads/ but itself, by its path there, so that `sha256sum -c` in that folder
    reads it (the tables' digests as `facts` has them, not computed twice)."""
    known = {item.path: item.sha256 for item in facts}
    prefix = f"{DOWNLOADS}/"
    lines = [
        f"{known.get(path) or hashlib.sha256(content).hexdigest()}  {path.removeprefix(prefix)}\n"
        for path, content in files.items()
        if path.startswith(prefix) and path != CHECKSUMS
    ]
    return "".join(lines).encode("utf-8")


def package_name(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def resource_name(item: FileFacts) -> str:
    """`incidents-2024` for a year's file, `incidents-parquet` for the Parquet file, the table's name for its CSV."""
    if item.year is not None:
        return f"{item.resource.name}-{item.year}"
    return item.resource.name if item.format == "csv" else f"{item.resource.name}-{item.format.replace('.', '-')}"


def resource_title(item: FileFacts) -> str:
    if item.year is not None:
        return f"{item.resource.title}, {item.year}"
    return item.resource.title + ("" if item.format == "csv" else f", every year ({item.format})")


def resource_descriptor(item: FileFacts) -> dict:
    resource = item.resource
    rows = f"One row per {resource.row}" + ("" if item.year is None else f", the rows counted in {item.year}")
    described = {
        "name": resource_name(item),
        "path": item.name,
        "title": resource_title(item),
        "description": f"{rows}. {resource.notes}",
        "profile": "tabular-data-resource",
        "format": "parquet" if item.format == "parquet" else "csv",
    }
    if item.format == "parquet":
        described["mediatype"] = "application/vnd.apache.parquet"
        # frictionless reads Parquet through pyarrow and cannot count its bytes: the checksum is given here
        # (and in SHA256SUMS) instead of in `hash`, which validation would then fail to match.
        described["sha256"] = item.sha256
        described["size"] = item.bytes
    else:
        described |= {"mediatype": "text/csv", "encoding": "utf-8"}
        if item.format == "csv.gz":
            described["compression"] = "gz"
        described |= {"bytes": item.bytes, "hash": f"sha256:{item.sha256}"}
    described |= {"rows": item.rows, "temporal": {"start": item.first, "end": item.last}}
    if resource.sources:
        described["sources"] = [{"title": title, "path": url} for title, url in resource.sources]
    # The incident files share one schema, written once beside them (frictionless reads a schema by its path).
    described["schema"] = schema.INCIDENT_SCHEMA if resource.name == INCIDENTS else resource.table_schema()
    return described


def package_descriptor(data, facts: list[FileFacts], urls: dict[str, str]) -> dict:
    """The Frictionless Data Package: every published file with its schema, the sources, the license and
    the raw files this build read."""
    config = data.config
    description = (
        f"Crimes reported by the {config.agency} ({config.agency_short}), cleaned and counted by the rules on the "
        f"site's methodology page. Data from {data.cover.first} through {data.cover.last}."
    )
    if data.sample:
        description = "SAMPLE DATA, NOT REAL: built from the synthetic files bundled with the code. " + description
    return {
        "profile": "data-package",
        "name": package_name(config.site_title),
        "title": config.site_title,
        "description": description,
        "licenses": [LICENSE],
        "sources": [{"title": source.name, "path": source.url} for source in (*config.sources, *config.other_sources)],
        "temporal": {"start": data.cover.first, "end": data.cover.last},
        "sample": data.sample,
        "provenance": {
            "raw_files": [
                {
                    "name": info.name,
                    "sha256": info.sha256,
                    "format": info.format,
                    "rows": info.rows,
                    "months": [info.months[0], info.months[-1]] if info.months else [],
                    "url": urls.get(info.sha256),
                }
                for info in data.files
            ],
            "libraries": cache.library_versions(cache.OUTPUT_LIBRARIES),
        },
        "resources": [resource_descriptor(item) for item in facts],
    }


def package_bytes(descriptor: dict) -> bytes:
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
