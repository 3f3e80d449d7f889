"""Shared fixtures. The real data is the repository's own (data/raw/, data/reference/): every test runs anywhere.

A fixture that reads ../shared/data/ (nothing the repository holds) goes through shared_folder() and is named in
REAL_DATA_FIXTURES; every test that uses one (directly or through another fixture) is then marked `real_data`,
and in CI (CI=true) a missing folder fails, never skips. None does today. Tests never call shared_folder()
themselves (tests/test_workflows.py checks), so the marker cannot miss one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crimesite import build, config, pages, paths, reference, sources
from crimesite.build import read_context
from crimesite.cache import Cache
from crimesite.sitedata import SiteData
from tests import browser

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SHARED_DATA = paths.ROOT.parent / "shared" / "data"


REAL_DATA_FIXTURES: frozenset[str] = frozenset()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `real_data` every test whose fixtures (with the fixtures they use) include one that reads ../shared."""
    for item in items:
        if REAL_DATA_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real_data)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def site_config() -> config.SiteConfig:
    return config.load_config()


@pytest.fixture(scope="session")
def categories(site_config: config.SiteConfig) -> tuple[reference.Category, ...]:
    return reference.load_categories(site_config.categories)


@pytest.fixture(scope="session")
def context(site_config, categories):
    return read_context(site_config, categories)


def shared_folder(*parts: str) -> Path:
    """A folder under ../shared/data/: a failure in CI when missing, a skip elsewhere."""
    folder = SHARED_DATA.joinpath(*parts)
    if not folder.is_dir():
        message = f"{folder} is missing: real-data tests need ../shared/data beside the repository"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def fixture_places_config(site_config: config.SiteConfig) -> config.SiteConfig:
    """The site configuration with the made-up neighborhood table and boundaries of tests/fixtures/places/."""
    folder = FIXTURES / "places"
    return config.with_place_files(
        site_config, folder / "neighborhoods.csv", folder / "neighborhoods.geojson", folder / "districts.geojson"
    )


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    """SLMPD's 144 legacy files of 2008-2019 in the repository."""
    return paths.RAW_DIR / "legacy"


@pytest.fixture(scope="session")
def nibrs_dir() -> Path:
    """SLMPD's NIBRS releases of January and February 2024 in the repository."""
    return paths.RAW_DIR / "nibrs"


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> tuple[Path, Path]:
    """Everything in data/raw/ with the repository's own site.yml (the City's places), built into a whole site, as
    `make site` builds it on a fresh clone."""
    root = tmp_path_factory.mktemp("real")
    build.run(None, build_dir=root / "build", site_dir=root / "site")
    return root / "build", root / "site"


@pytest.fixture(scope="session")
def sample_raw(tmp_path_factory) -> Path:
    """The synthetic sample, written by scripts/make_sample.py into a tmp folder (as `make sample` does)."""
    folder = tmp_path_factory.mktemp("sample-raw")
    subprocess.run(
        [sys.executable, str(paths.ROOT / "scripts" / "make_sample.py"), "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder


@pytest.fixture(scope="session")
def no_places_config(site_config: config.SiteConfig, tmp_path_factory) -> config.SiteConfig:
    """The site configuration of a fork with no neighborhood table or boundaries yet: site.yml names the files,
    data/reference/ does not hold them."""
    empty = tmp_path_factory.mktemp("no-reference")
    return config.with_place_files(
        site_config, empty / "neighborhoods.csv", empty / "neighborhoods.geojson", empty / "districts.geojson"
    )


@pytest.fixture(scope="session")
def sample_site(sample_raw, no_places_config, tmp_path_factory) -> tuple[Path, Path]:
    """The sample, built as `make sample-site` builds it in a fork with no place files yet."""
    root = tmp_path_factory.mktemp("sample")
    build.run([sample_raw], build_dir=root / "build", site_dir=root / "site", config=no_places_config)
    return root / "build", root / "site"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright: a failure in CI when it is missing (the Makefile installs it), a skip
    elsewhere."""
    from playwright.sync_api import sync_playwright

    if not browser.CHROMIUM.exists():
        message = f"{browser.CHROMIUM} is missing: `make test` installs Debian's chromium package"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(browser.CHROMIUM), args=browser.CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory, fixture_places_config) -> Path:
    """The fixture files of every raw format (legacy and NIBRS) with the made-up places, built without MkDocs."""
    build_dir = tmp_path_factory.mktemp("golden") / "build"
    build.run(
        [FIXTURES / "legacy", FIXTURES / "nibrs"],
        build_dir=build_dir,
        site_dir=None,
        config=fixture_places_config,
        validate_charts=True,  # every chart spec is checked against the Vega-Lite schema
    )
    return build_dir


@pytest.fixture(scope="session")
def fixture_site_data(fixture_places_config) -> SiteData:
    """What the golden build makes its pages from (the fixture files of both formats, the made-up places), made
    as build.run makes it: for tests of the page builders, without rendering a site."""
    site = fixture_places_config
    files = sources.discover([FIXTURES / "legacy", FIXTURES / "nibrs"], site.reader.size_limit())
    inputs = build.read(files, site, Cache.at(None))
    table, cover = build.validate(inputs, site)
    history = build.release_revisions(inputs.loaded.history, inputs.categories, site, inputs.loaded.files)
    return build.site_data(site, inputs, table, cover, history)


def shown(block: object) -> str:
    """A page block (a table, a figure, a link) as a page sets it: rendered by its macro in the one environment."""
    return pages.environment().from_string("{{ block }}").render(block=block)
