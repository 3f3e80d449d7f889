"""Shared fixtures. Real-data tests read ../shared/data/; in CI a missing folder fails, never skips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crimesite import config, paths, reference
from crimesite.build import read_context

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN = Path(__file__).parent / "golden"
SHARED_DATA = paths.ROOT.parent / "shared" / "data"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


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
def legacy_dir() -> Path:
    return shared_folder("slmpd", "legacy")
