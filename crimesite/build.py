"""The whole pipeline, stage by stage (run): read the raw files and every file site.yml names -> validate the
incident table -> compute the counts (no I/O) -> render the pages -> publish the downloads -> stage the docs
folder -> the MkDocs site."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from crimesite import (
    cache,
    charts,
    claims,
    download_pages,
    geo,
    incidents,
    manifest,
    metrics,
    months,
    other_sources,
    output,
    pages,
    paths,
    place_pages,
    placemetrics,
    places,
    privacy,
    publish,
    reference,
    revisions,
    sources,
    static_charts,
)
from crimesite.cache import Cache
from crimesite.config import SiteConfig, load_config
from crimesite.inputs import FileInfo
from crimesite.sitedata import SiteData
from crimesite.sources import slmpd_nibrs
from crimesite.sources.common import RawFile, ReadContext, ReleaseHistory

log = logging.getLogger(__name__)


@dataclass
class Timings:
    """Wall time of each stage, in seconds, in the order they ran."""

    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start
        log.info("%-14s %6.2f s", name, self.stages[name])


@dataclass(frozen=True)
class Inputs:
    """Everything the build reads besides the code: the raw files' rows and facts, and every file site.yml names
    (read stage); the stages after it do no input I/O."""

    categories: tuple[reference.Category, ...]
    offense_codes: dict[str, int | None]
    loaded: sources.Loaded
    city_limits: tuple[np.ndarray, ...] | None  # None: only the box geography.bounds limits the locations
    places: places.PlaceFiles
    claims: tuple[claims.Claim, ...]
    other: other_sources.OtherFigures | None
    urls: dict[str, str]  # sha256 -> the address the fetch step downloaded it from
    sample: bool


def run(
    raw_paths: list[Path] | None = None,
    build_dir: Path = paths.BUILD_DIR,
    site_dir: Path | None = paths.SITE_DIR,
    config: SiteConfig | None = None,
    timings: Timings | None = None,
    cache_dir: Path | None = paths.CACHE_DIR,
    validate_charts: bool = False,
) -> Timings:
    """Build the docs folder (and the site, unless site_dir is None) from the raw files. All or nothing: the
    new docs folder and site are built beside the old ones and swapped in only when both are complete.
    `cache_dir` keeps each raw file's rows and each static chart by content hash (None: no cache, and nothing
    is written there); the entries of other code versions are pruned once the build has succeeded.
    `validate_charts` checks every chart spec against the Vega-Lite schema (the tests do; it costs a quarter of
    the page time)."""
    config, timings = config or load_config(), timings or Timings()
    clear_leftovers(build_dir, site_dir)
    with timings.stage("discover"):
        files = sources.discover(raw_paths or [config.raw_dir], config.reader.size_limit())
        fingerprint = input_fingerprint(files, config)
    kept = kept_last_month(build_dir, fingerprint)
    if kept is not None:
        log.info("data: unchanged input, %s kept as it is", build_dir)
        build_site(build_dir, site_dir, kept, timings)
        return timings
    store = Cache.at(cache_dir)
    static_charts.prestart(store)  # the SVG renderers start while the files are read, when every chart is drawn
    # ... and make the Vega bundle meanwhile, when neither the cache nor this process has it
    bundle = static_charts.pool().submit(output.javascript_bundle) if output.bundle_missing(cache_dir) else None
    with timings.stage("read"):
        inputs = read(files, config, store)
    with timings.stage("validate"):
        table, cover = validate(inputs, config)
    with timings.stage("revisions"):
        history = release_revisions(inputs.loaded.history, inputs.categories, config, inputs.loaded.files)
    with timings.stage("metrics"):
        data = site_data(config, inputs, table, cover, history)
    rendered, published = render_and_publish(data, inputs.urls, store, timings, validate_charts)
    staging = stage(build_dir, data, rendered, published, fingerprint, output.vega_bundle(cache_dir, bundle))
    with output.removed_on_error(staging):  # a failing MkDocs step leaves both folders as they were
        build_site(staging, site_dir, cover.last, timings)
    output.replace_folder(staging, build_dir)
    store.prune()
    return timings


def clear_leftovers(*targets: Path | None) -> None:
    for target in targets:
        if target is not None:
            output.clear_leftovers(target)


def kept_last_month(build_dir: Path, fingerprint: str) -> str | None:
    """The data's last month when `build_dir` holds a complete build of exactly this input, which is then kept
    as it is; None when the docs must be built."""
    if output.read_stamp(build_dir / output.FINGERPRINT) != fingerprint or not (build_dir / "docs").is_dir():
        return None
    return output.read_stamp(build_dir / output.LAST_MONTH)


def build_site(docs_folder: Path, site_dir: Path | None, last_month: str, timings: Timings) -> None:
    if site_dir is not None:
        with timings.stage("mkdocs build"):
            output.build_site(docs_folder, site_dir, source_date_epoch(last_month))


def read(files: list[RawFile], config: SiteConfig, store: Cache) -> Inputs:
    """Read stage: the raw files (through the cache), then the files site.yml names: city limits, claims, the
    other source's figures and the place files (the raw files' problems are reported first)."""
    categories = reference.load_categories(config.categories)
    context = read_context(config, categories)
    loaded = sources.load_all(files, context, store)
    return Inputs(
        categories=categories,
        offense_codes=context.offense_codes,
        loaded=loaded,
        city_limits=read_city_limits(config.geography.city_limits),
        claims=claims.load_claims(config.claims, categories),
        other=next((other_sources.load_figures(s, categories) for s in config.other_sources), None),
        places=places.read_place_files(config.places),
        urls=context.release_names,
        sample=is_sample(files),
    )


def validate(inputs: Inputs, config: SiteConfig) -> tuple[pd.DataFrame, metrics.Coverage]:
    """Validate stage: the incident table with withheld incidents and points outside the city marked, checked;
    and the months the files stand for."""
    table = privacy.withhold_incidents(inputs.loaded.table)
    table = within_city_limits(table, inputs.city_limits)
    incidents.validate(table, config.places.neighborhood_numbers)
    return table, coverage_of(config, inputs.loaded.files)


def coverage_of(config: SiteConfig, infos: list[FileInfo]) -> metrics.Coverage:
    csv = config.reader.csv
    covered = {month for info in infos for month in info.covers}
    uncounted = () if csv else slmpd_nibrs.UNCOUNTED_PARTS
    return metrics.coverage(covered, config.methods_break, csv.era if csv else "ucr", uncounted)


def render_and_publish(
    data: SiteData, urls: dict[str, str], store: Cache, timings: Timings, validate_charts: bool = False
) -> tuple[dict[str, str], dict[str, bytes]]:
    """Render and publish stages: the pages (docs path -> Markdown) and the published files (docs path -> bytes)."""
    # The incident files (mostly Arrow, zlib and Parquet, which release the GIL) are written on the second core
    # while the pages render.
    with ThreadPoolExecutor(max_workers=1) as pool:
        incident_files = pool.submit(publish.incident_contents, data)
        # One Jinja environment renders every page; the SVGs `store` lacks are drawn in the process pool meanwhile.
        render, figures = pages.renderer(data), static_charts.Charts(store, validate_charts, parallel=True)
        with timings.stage("pages+charts"), charts.checked(figures.validate):
            rendered = pages.render_pages(data, figures, render) | place_pages.render_place_pages(data, figures, render)
        with timings.stage("chart svgs"):
            rendered = figures.fill(rendered)
        with timings.stage("downloads"):
            incident_files = incident_files.result()
    with timings.stage("downloads"):
        files, facts = publish.published_files(data, incident_files)
        files[publish.PACKAGE] = publish.package_bytes(publish.package_descriptor(data, facts, urls))
        files[publish.CHECKSUMS] = publish.checksums(files, facts)
        rendered |= download_pages.download_pages(data, facts, urls, render)
    return rendered, files


def stage(
    build_dir: Path,
    data: SiteData,
    rendered: dict[str, str],
    files: dict[str, bytes],
    fingerprint: str,
    bundle: str,
) -> Path:
    """Stage step: the docs folder written beside `build_dir` (the staging folder, returned), with the Vega
    bundle the pages load when they are idle."""
    stamps = {output.FINGERPRINT: fingerprint, output.LAST_MONTH: data.cover.last}
    return output.stage_docs(build_dir, rendered, files, generated_config(data), stamps, bundle)


def read_city_limits(city_limits: Path | None) -> tuple[np.ndarray, ...] | None:
    """The rings of the city limits file, or None when site.yml names none or the file is not there."""
    if city_limits is None or not city_limits.is_file():
        if city_limits is not None:
            log.warning("%s not found: only the box geography.bounds limits the locations", city_limits)
        return None
    return places.read_city_limits(city_limits)


def within_city_limits(table: pd.DataFrame, rings: tuple[np.ndarray, ...] | None) -> pd.DataFrame:
    """The table with the located points outside the city limits (`rings`, from read_city_limits) marked
    `outside_city`; the table itself when there are no city limits."""
    if rings is None:
        return table
    located = table[table["location_status"] == "ok"]
    inside = geo.inside_rings(located["longitude"].to_numpy(float), located["latitude"].to_numpy(float), rings)
    return incidents.mark_outside_city(table, inside)


def read_context(config: SiteConfig, categories: tuple[reference.Category, ...]) -> ReadContext:
    csv = config.reader.csv
    return ReadContext(
        categories={c.ucr_class: c.slug for c in categories},
        parts={c.ucr_class: c.part for c in categories},
        source_crs=config.geography.source_crs,
        bounds=config.geography.bounds,
        neighborhood_numbers=config.places.neighborhood_numbers,
        district_numbers=config.places.district_numbers,
        csv=csv,
        offense_codes=reference.load_offense_codes(csv.offense_codes, categories) if csv else {},
        release_names=manifest_urls(config.fetch.manifest),
        size_limit=config.reader.size_limit(),
        sexual_classes=frozenset({2, 17} | {c.ucr_class for c in categories if c.sexual_offense}),
    )


def manifest_urls(path: Path) -> dict[str, str]:
    """sha256 -> the URL the fetch step downloaded that content from."""
    return {entry.sha256: entry.url for entry in manifest.read_manifest(path).values()}


def release_revisions(
    history: ReleaseHistory | None,
    categories: tuple[reference.Category, ...],
    config: SiteConfig,
    infos: list[FileInfo],
) -> revisions.Revisions | None:
    """The counts as of each release (`history`: sources.Loaded.history), or None when no release has one."""
    if history is None or not history.releases:
        return None
    released = {release.name for release in history.releases}
    other_months = {month for info in infos if info.name not in released for month in info.covers}
    slugs = [c.slug for c in categories if c.part == 1]
    return revisions.release_counts(history, slugs, config.methods_break, other_months)


def site_data(
    config: SiteConfig,
    inputs: Inputs,
    table: pd.DataFrame,
    cover: metrics.Coverage,
    history: revisions.Revisions | None,
) -> SiteData:
    """Compute stage: every count the pages and downloads show. No I/O."""
    infos, categories = inputs.loaded.files, inputs.categories
    file_months = {info.name: max(info.covers) for info in infos if info.covers}
    counted, excluded = metrics.split_counted(table, cover, file_months)
    annual = metrics.annual_counts(counted, categories, cover)
    monthly = metrics.monthly_counts(counted, categories, cover)
    since = config.geography.districts_since
    geography = places.geography(config.places, inputs.places, *seen_places(counted, since))
    checks = claims.check_all(inputs.claims, annual, counted, cover, categories, config.agency_short, inputs.other)
    return SiteData(
        config=config,
        categories=categories,
        incidents=table,
        counted=counted,
        excluded=excluded,
        claims=tuple(claims.with_vintages(checks, history, categories)),
        files=tuple(infos),
        cover=cover,
        annual=annual,
        monthly=monthly,
        rolling=metrics.rolling_sum(monthly, cover),
        shootings=metrics.shootings(counted, cover),
        sample=inputs.sample,
        places=placemetrics.place_data(counted, table, categories, cover, geography, since),
        offense_codes=inputs.offense_codes,
        other=inputs.other,
        revisions=history,
    )


def seen_places(counted: pd.DataFrame, districts_since: str | None) -> tuple[dict[int, int | None], set[int]]:
    """The neighborhoods in the data, each with the district most of its crimes are in (current map), and
    the districts of the current map."""
    current = counted[metrics.month_labels(counted) >= (districts_since or "")]
    districts = {int(d) for d in current["district"].dropna().unique()}
    located = current.dropna(subset=["neighborhood", "district"])
    modal = located.groupby(["neighborhood", "district"]).size().sort_index().groupby(level=0).idxmax()
    neighborhoods: dict[int, int | None] = {int(n): None for n in counted["neighborhood"].dropna().unique()}
    neighborhoods.update({int(n): int(pair[1]) for n, pair in modal.items()})
    return neighborhoods, districts


def generated_config(data: SiteData) -> dict:
    return {
        "site_name": data.config.site_title,
        "nav": with_places(pages.navigation(data), place_pages.place_navigation(data.places)),
        "extra": {"sample_data": data.sample, "data_through": months.label(data.cover.last)},
    }


def with_places(nav: list, place_nav: list) -> list:
    """The navigation with the place sections after the years."""
    at = next(i for i, item in enumerate(nav) if "Years" in item) + 1
    return nav[:at] + place_nav + nav[at:]


def is_sample(files: list[RawFile]) -> bool:
    """True when any input file is one of the bundled sample files (listed by content hash)."""
    if not paths.SAMPLE_MANIFEST.exists():
        return False
    known = {line.split()[0] for line in paths.SAMPLE_MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()}
    return any(raw.sha256 in known for raw in files)


def input_fingerprint(files: list[RawFile], config: SiteConfig) -> str:
    """Changes whenever anything that can change the output changes."""
    digest = hashlib.sha256()
    for raw in files:
        digest.update(f"{raw.name}\0{raw.sha256}\n".encode())
    trees = ((paths.PACKAGE, "**/*"), (paths.HANDWRITTEN_DOCS, "**/*"), (paths.ROOT / "overrides", "**/*"))
    cache.add_code(digest, trees, cache.OUTPUT_LIBRARIES)
    place = config.places
    digest.update(repr(config).encode())  # every setting, whichever file (--config) they came from
    codes = config.reader.csv.offense_codes if config.reader.csv else None
    inputs = (
        paths.SITE_CONFIG,
        paths.MKDOCS_CONFIG,
        paths.SAMPLE_MANIFEST,
        config.fetch.manifest,
        config.categories,
        config.claims,
        codes,
        place.neighborhood_table,
        place.neighborhood_boundaries,
        place.district_boundaries,
        config.geography.city_limits,
        *(source.file for source in config.other_sources),
    )
    for path in inputs:
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes() if path is not None and path.exists() else b"-")
    return digest.hexdigest()


def source_date_epoch(last_month: months.MonthLike) -> int:
    """A fixed date for MkDocs' sitemap: the first day of the data's last month (its key, as Coverage.last)."""
    return int(months.period(last_month).start_time.timestamp())
