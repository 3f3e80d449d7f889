"""The whole pipeline: raw files -> incident table -> metrics -> pages -> MkDocs site."""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from crimesite import (
    charts,
    claims,
    download_pages,
    geo,
    incidents,
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
from crimesite.sitedata import SiteData
from crimesite.sources import slmpd_nibrs
from crimesite.sources.common import RawFile, ReadContext

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
    `cache_dir` keeps each raw file's rows and each static chart by content hash (None: no cache).
    `validate_charts` checks every chart spec against the Vega-Lite schema (the tests do; it costs a quarter of
    the page time)."""
    config = config or load_config()
    timings = timings or Timings()
    for target in (build_dir, site_dir):
        if target is not None:
            output.clear_leftovers(target)
    with timings.stage("discover"):
        files = sources.discover(raw_paths or [config.raw_dir], config.reader.size_limit())
        fingerprint = input_fingerprint(files, config)
    if output.read_stamp(build_dir / output.FINGERPRINT) == fingerprint and (build_dir / "docs").is_dir():
        log.info("data: unchanged input, %s kept as it is", build_dir)
        build_site(build_dir, site_dir, timings)
    else:
        staging = build_docs(files, config, build_dir, fingerprint, timings, Cache.at(cache_dir), validate_charts)
        # The new pages are swapped in only once the site is built from them: a failing MkDocs step leaves
        # both folders as they were.
        with output.removed_on_error(staging):
            build_site(staging, site_dir, timings)
        output.replace_folder(staging, build_dir)
    return timings


def build_site(docs_folder: Path, site_dir: Path | None, timings: Timings) -> None:
    if site_dir is not None:
        with timings.stage("mkdocs build"):
            output.build_site(docs_folder, site_dir, source_date_epoch(docs_folder))


def build_docs(
    files: list[RawFile],
    config: SiteConfig,
    build_dir: Path,
    fingerprint: str,
    timings: Timings,
    store: Cache,
    validate_charts: bool = False,
) -> Path:
    """Read, check and count the raw files, and write the pages and published files into a staging folder
    beside `build_dir` (returned)."""
    categories = reference.load_categories(config.categories)
    context = read_context(config, categories)
    with timings.stage("read"):
        loaded = sources.load_all(files, context, store)
        table, infos = privacy.withhold_incidents(loaded.table), loaded.files
    with timings.stage("validate"):
        table = within_city_limits(table, config.geography.city_limits)
        incidents.validate(table, config.places.neighborhood_numbers)
        cover = metrics.coverage({month for info in infos for month in info.covers}, config.methods_break,
                                 config.reader.csv.era if config.reader.csv else "ucr",
                                 () if config.reader.csv else slmpd_nibrs.UNCOUNTED_PARTS)  # fmt: skip
        official = claims.load_claims(config.claims, categories)
        other = next((other_sources.load_figures(s, categories) for s in config.other_sources), None)
    with timings.stage("revisions"):
        history = release_revisions(loaded.history, categories, config, infos)
    with timings.stage("metrics"):
        data = site_data(config, categories, table, infos, cover, is_sample(files), official, context.offense_codes,
                         other, history)  # fmt: skip
    # The incident files (mostly Arrow, zlib and Parquet, which release the GIL) are written on the second core
    # while the pages render.
    with ThreadPoolExecutor(max_workers=1) as pool:
        incident_files = pool.submit(publish.incident_contents, data)
        # One Jinja environment renders every page; the static SVGs are drawn (or read from `store`) with their charts.
        render, figures = pages.renderer(data), static_charts.Charts(store, validate_charts)
        with timings.stage("pages+charts"), charts.checked(figures.validate):
            rendered = pages.render_pages(data, figures, render) | place_pages.render_place_pages(data, figures, render)
        with timings.stage("downloads"):
            incident_files = incident_files.result()
    with timings.stage("downloads"):
        files, facts = publish.published_files(data, incident_files)
        urls = publish.manifest_urls(config.fetch.manifest)
        files[publish.PACKAGE] = publish.package_bytes(publish.package_descriptor(data, facts, urls))
        files[publish.CHECKSUMS] = publish.checksums(facts)
        rendered |= download_pages.download_pages(data, facts, urls, render)
    return output.stage_docs(build_dir, rendered, files, generated_config(data), fingerprint)


def within_city_limits(table: pd.DataFrame, city_limits: Path | None) -> pd.DataFrame:
    """The table with the located points outside the city limits marked `outside_city` (the box alone when
    site.yml names no city limits file, or the file is not there)."""
    if city_limits is None or not city_limits.is_file():
        if city_limits is not None:
            log.warning("%s not found: only the box geography.bounds limits the locations", city_limits)
        return table
    located = table[table["location_status"] == "ok"]
    rings = places.read_city_limits(city_limits)
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
        release_names=publish.manifest_urls(config.fetch.manifest),
        size_limit=config.reader.size_limit(),
        sexual_classes=frozenset({2, 17} | {c.ucr_class for c in categories if c.sexual_offense}),
    )


def release_revisions(history, categories, config: SiteConfig, infos) -> revisions.Revisions | None:
    """The counts as of each release (`history`: sources.Loaded.history), or None when no release has one."""
    if history is None or not history.releases:
        return None
    released = {release.name for release in history.releases}
    other_months = {month for info in infos if info.name not in released for month in info.covers}
    slugs = [c.slug for c in categories if c.part == 1]
    return revisions.release_counts(history, slugs, config.methods_break, other_months)


def site_data(config, categories, table, infos, cover, sample, official, offense_codes, other=None,
              history=None) -> SiteData:  # fmt: skip
    file_months = {info.name: max(info.covers) for info in infos if info.covers}
    counted, excluded = metrics.split_counted(table, cover, file_months)
    annual = metrics.annual_counts(counted, categories, cover)
    monthly = metrics.monthly_counts(counted, categories, cover)
    since = config.geography.districts_since
    geography = places.load_geography(config.places, *seen_places(counted, since))
    return SiteData(
        config=config,
        categories=categories,
        incidents=table,
        counted=counted,
        excluded=excluded,
        claims=tuple(
            claims.with_vintages(
                claims.check_all(official, annual, counted, cover, categories, config.agency_short, other),
                history,
                categories,
            )
        ),
        files=tuple(infos),
        cover=cover,
        annual=annual,
        monthly=monthly,
        rolling=metrics.rolling_sum(monthly, cover),
        shootings=metrics.shootings(counted, cover),
        sample=sample,
        places=placemetrics.place_data(counted, table, categories, cover, geography, since),
        offense_codes=offense_codes,
        other=other,
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
    for root, pattern in (
        (paths.PACKAGE, "**/*"),
        (paths.HANDWRITTEN_DOCS, "**/*"),
        (paths.ROOT / "overrides", "**/*"),
    ):
        output.hash_tree(digest, root, pattern)
    place = config.places
    digest.update(repr(config).encode())  # every setting, whichever file (--config) they came from
    codes = config.reader.csv.offense_codes if config.reader.csv else None
    inputs = (paths.SITE_CONFIG, paths.MKDOCS_CONFIG, paths.SAMPLE_MANIFEST, config.fetch.manifest, config.categories,
              config.claims, codes, place.neighborhood_table, place.neighborhood_boundaries,
              place.district_boundaries, config.geography.city_limits,
              *(source.file for source in config.other_sources))  # fmt: skip
    for path in inputs:
        digest.update(f"{path}\0".encode())
        digest.update(path.read_bytes() if path is not None and path.exists() else b"-")
    for library in publish.LIBRARIES:
        digest.update(f"{library}={importlib.metadata.version(library)}\n".encode())
    return digest.hexdigest()


def source_date_epoch(build_dir: Path) -> int:
    """A fixed date for MkDocs' sitemap: the first day of the last month in the data."""
    import yaml

    generated = yaml.safe_load((build_dir / output.GENERATED_CONFIG).read_text(encoding="utf-8"))
    through = pd.Timestamp(generated["extra"]["data_through"])
    return int(through.timestamp())
