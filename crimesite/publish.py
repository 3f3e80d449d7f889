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
from pathlib import Path

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
LICENSE = {
    "name": "ODC-PDDL-1.0",
    "title": "Open Data Commons Public Domain Dedication and License 1.0",
    "path": "https://opendatacommons.org/licenses/pddl/1-0/",
}


@dataclass(frozen=True)
class FileFacts:
    """What the downloads page and the data package say about one published file."""

    path: str  # under downloads/
    resource: schema.Resource
    format: str  # csv, csv.gz, parquet
    rows: int
    bytes: int
    sha256: str
    first: str  # the period it covers, as its time field writes it
    last: str


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


def incident_files(table: pd.DataFrame) -> dict[str, bytes]:
    """CSV, gzip and Parquet of the incident table: arrow writes 650,000 rows in a fraction of pandas' time."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    as_text = arrow.set_column(
        arrow.schema.get_field_index("occurred_at"),
        "occurred_at",
        pc.strftime(arrow["occurred_at"], format="%Y-%m-%dT%H:%M:%S"),
    )
    as_text = pa.table(
        [column.cast(pa.string()) if pa.types.is_dictionary(column.type) else column for column in as_text.columns],
        names=as_text.column_names,
    )
    text = io.BytesIO()
    pacsv.write_csv(as_text, text, pacsv.WriteOptions(quoting_style="needed", batch_size=1 << 16))
    csv = text.getvalue()
    # zlib and the Parquet writer both release the GIL: compress on the second core meanwhile.
    # mtime=0 and no file name in the gzip header: the same rows always give the same bytes.
    with ThreadPoolExecutor(max_workers=1) as pool:
        compressed = pool.submit(gzip.compress, csv, compresslevel=6, mtime=0)
        parquet = io.BytesIO()
        pq.write_table(arrow, parquet, compression="zstd")
        return {"incidents.csv": csv, "incidents.csv.gz": compressed.result(), "incidents.parquet": parquet.getvalue()}


def incident_contents(data) -> dict[str, bytes]:
    """The incident files of a build (`data`: pages.SiteData), as the published schema has them."""
    resource = next(r for r in published_resources(data.config, data.categories) if r.name == "incidents")
    table = incident_table(data.incidents, data.places.block_positions)
    return incident_files(schema_columns("incidents", table, resource))


def period(frame: pd.DataFrame, resource: schema.Resource) -> tuple[str, str]:
    """The first and last time the table covers, from its first time field."""
    if frame.empty:
        return "", ""
    if resource.name == "incidents":
        keys = frame["year"].astype(int) * 100 + frame["month"].astype(int)
        return tuple(months.key_of(m // 100, m % 100) for m in (keys.min(), keys.max()))
    for name in ("month", "week_start", "year"):
        if name in frame.columns:
            values = frame[name].astype(str)
            return values.min(), values.max()
    return "", ""


def published_files(data, incidents: dict[str, bytes] | None = None) -> tuple[dict[str, bytes], list[FileFacts]]:
    """Every published file (path under the docs folder -> bytes) and the facts about each. `incidents`:
    the incident files, when incident_contents() already made them (the build does, beside the pages)."""
    resources = {r.name: r for r in published_resources(data.config, data.categories)}
    tables = {"incidents": data.incidents, **aggregate_tables(data)}
    files: dict[str, bytes] = {}
    facts = []
    for name, resource in resources.items():
        if name == REVISIONS and name not in tables:  # no release revises a month: nothing to publish
            continue
        if name == "incidents":
            frame = tables[name]  # the same rows and periods; the published columns are made in incident_contents
            contents = incidents if incidents is not None else incident_contents(data)
        elif name not in tables:  # another source's file, published byte for byte as it was read
            frame = data.other.table
            contents = {f"{name}.csv": data.other.content}
        else:
            frame = schema_columns(name, tables[name], resource)
            contents = {f"{name}.csv": csv_bytes(frame)}
        first, last = period(frame, resource)
        for file_name, content in contents.items():
            path = f"{DOWNLOADS}/{file_name}"
            files[path] = content
            file_format = file_name.split(".", 1)[1]
            digest = hashlib.sha256(content).hexdigest()
            facts.append(FileFacts(path, resource, file_format, len(frame), len(content), digest, first, last))
    return files, facts


def checksums(facts: list[FileFacts]) -> bytes:
    """The format `sha256sum -c` reads."""
    lines = [f"{f.sha256}  {Path(f.path).name}\n" for f in facts]
    return "".join(lines).encode("utf-8")


def package_name(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def resource_descriptor(item: FileFacts) -> dict:
    resource = item.resource
    name = resource.name if item.format == "csv" else f"{resource.name}-{item.format.replace('.', '-')}"
    described = {
        "name": name,
        "path": Path(item.path).name,
        "title": resource.title + ("" if item.format == "csv" else f" ({item.format})"),
        "description": f"One row per {resource.row}. {resource.notes}",
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
    described["schema"] = resource.table_schema()
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
