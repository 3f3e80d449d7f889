"""The generic CSV reader (site.yml reader.csv) on the fork fixture and on messy variants of it
(tests/fixtures/messy/generic_csv/, one test each)."""

from __future__ import annotations

import pandas as pd
import pytest

from crimesite import build, config
from crimesite.sources import generic_csv
from crimesite.sources.common import FormatReader
from tests.conftest import FIXTURES
from tests.reader_variants import clean_name, lines_added, read_alone, variants

FORK = FIXTURES / "forkcity"


@pytest.fixture(scope="module")
def fork_site() -> config.SiteConfig:
    return config.load_config(FORK / "site.yml")


@pytest.fixture(scope="module")
def fork_context(fork_site):
    return build.read_context(fork_site, build.reference.load_categories(fork_site.categories))


def test_the_configured_reader_is_a_format_reader(fork_site):
    assert isinstance(generic_csv.GenericCsvReader(fork_site.reader.csv), FormatReader)


def test_a_header_without_a_mapped_column_is_not_detected_and_says_which(fork_site):
    reader = generic_csv.GenericCsvReader(fork_site.reader.csv)
    header = (FORK / "data" / "raw" / "riverton_2024.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert reader.detect(header) == generic_csv.LAYOUT
    missing = reader.mapping["offense_code"]
    short = [name for name in header if name.strip().lower() != missing.strip().lower()]
    assert reader.detect(short) is None
    assert reader.expected_header(short).endswith("missing: " + missing)


@pytest.mark.parametrize("variant", variants("generic_csv"), ids=lambda path: path.name)
def test_a_messy_variant_reads_as_its_fixture(variant, tmp_path, fork_context):
    clean = read_alone(FORK / "data" / "raw" / clean_name(variant), tmp_path / "clean", fork_context)
    messy = read_alone(variant, tmp_path / "messy", fork_context)
    assert len(clean) > 0
    clean["source_line"] += lines_added(variant)
    pd.testing.assert_frame_equal(messy, clean)
