"""The slmpd_legacy reader on its fixtures, and on messy variants of them (tests/fixtures/messy/slmpd_legacy/, one test
each)."""

from __future__ import annotations

import pandas as pd
import pytest

from crimesite.sources import slmpd_legacy
from crimesite.sources.common import FormatReader
from tests.conftest import FIXTURES
from tests.reader_variants import clean_name, lines_added, read_alone, variants

FIXTURE_DIR = FIXTURES / "legacy"


def test_the_module_is_a_format_reader():
    assert isinstance(slmpd_legacy, FormatReader)


@pytest.mark.parametrize("path", sorted(FIXTURE_DIR.glob("*.csv")), ids=lambda path: path.name)
def test_each_fixture_header_is_detected(path):
    header = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0].split(",")
    assert slmpd_legacy.detect(header) is not None
    assert slmpd_legacy.detect(header[:-1]) is None  # a column short is no known layout


@pytest.mark.parametrize("variant", variants("slmpd_legacy"), ids=lambda path: path.name)
def test_a_messy_variant_reads_as_its_fixture(variant, tmp_path, context):
    clean = read_alone(FIXTURE_DIR / clean_name(variant), tmp_path / "clean", context)
    messy = read_alone(variant, tmp_path / "messy", context)
    assert len(clean) > 0
    clean["source_line"] += lines_added(variant)
    pd.testing.assert_frame_equal(messy, clean)
