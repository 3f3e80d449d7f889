"""Shared fixtures. Real-data tests read ../shared/data/; in CI a missing folder fails, never skips.

Every fixture that reads ../shared/data/ is named in REAL_DATA_FIXTURES, and every test that uses one of them
(directly or through another fixture) is marked `real_data`. The GitHub workflows, whose runners have no
../shared, deselect them with `-m "not real_data"`; our own CI (.ci/run) runs everything. Tests never call
shared_folder() themselves (tests/test_workflows.py checks), so the marker cannot miss one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crimesite import build, config, pages, paths, reference
from crimesite.build import read_context
from tests import browser

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
# ../shared/data beside the repository; CRIMESITE_SHARED_DATA names it for a checkout elsewhere (a worktree).
SHARED_DATA = Path(os.environ.get("CRIMESITE_SHARED_DATA") or paths.ROOT.parent / "shared" / "data")


REAL_DATA_FIXTURES = frozenset(
    {"shared_data", "shared_places_config", "legacy_dir", "nibrs_dir", "slmpd_dir", "real_site", "full_real_site"}
)


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
def shared_places_config(site_config: config.SiteConfig) -> config.SiteConfig:
    """The site configuration with the City's neighborhood table and boundaries from ../shared/data/."""
    reference, geo = shared_folder("reference"), shared_folder("geo")
    return config.with_place_files(
        site_config,
        reference / "neighborhoods.csv",
        geo / "stl_neighborhoods_88_wgs84.geojson",
        geo / "slmpd_districts_6_wgs84.geojson",
    )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data/ itself (the fetch tests serve it over HTTP)."""
    return shared_folder()


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    return shared_folder("slmpd", "legacy")


@pytest.fixture(scope="session")
def nibrs_dir() -> Path:
    return shared_folder("slmpd", "nibrs")


@pytest.fixture(scope="session")
def slmpd_dir() -> Path:
    """Every real SLMPD file: legacy 2008-2020 and the NIBRS releases of January to April 2024."""
    return shared_folder("slmpd")


@pytest.fixture(scope="session")
def real_site(legacy_dir, shared_places_config, tmp_path_factory) -> tuple[Path, Path]:
    """The 144 real legacy files with the City's neighborhoods and boundaries, built into a whole site."""
    root = tmp_path_factory.mktemp("real")
    build.run([legacy_dir], build_dir=root / "build", site_dir=root / "site", config=shared_places_config)
    return root / "build", root / "site"


@pytest.fixture(scope="session")
def full_real_site(slmpd_dir, shared_places_config, tmp_path_factory) -> tuple[Path, Path]:
    """Every real file (legacy 2008-2019 and 2020, NIBRS 2024) with the City's places, built into a whole site."""
    root = tmp_path_factory.mktemp("full_real")
    build.run(
        [slmpd_dir], build_dir=root / "build", site_dir=root / "site", config=shared_places_config, cache_dir=None
    )
    return root / "build", root / "site"


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> tuple[Path, Path]:
    """The bundled sample (data/raw/) with the repository's own configuration, built as `make site` builds it."""
    root = tmp_path_factory.mktemp("sample")
    build.run(None, build_dir=root / "build", site_dir=root / "site")
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
    pages.VALIDATE_CHARTS = True  # every chart spec is checked against the Vega-Lite schema
    try:
        build.run(
            [FIXTURES / "legacy", FIXTURES / "nibrs"], build_dir=build_dir, site_dir=None, config=fixture_places_config
        )
    finally:
        pages.VALIDATE_CHARTS = False
    return build_dir
