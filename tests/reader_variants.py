"""What the per-reader tests share: a messy variant of a fixture gives the same canonical rows as the fixture."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from crimesite import incidents, sources
from crimesite.sources.common import ReadContext
from tests.conftest import FIXTURES

MESSY = FIXTURES / "messy"


def variants(reader: str) -> list[Path]:
    """The messy variants of one reader's fixtures: `<fixture stem>__<what is messy>.csv[.gz]`."""
    return sorted((MESSY / reader).glob("*__*.csv*"))


# Lines a variant adds before the first row (a blank line after the header): its rows' source_line is that later.
LINES_ADDED = {"crlf_blank_lines": 1}


def lines_added(variant: Path) -> int:
    return LINES_ADDED.get(variant.name.split("__")[1].split(".")[0], 0)


def clean_name(variant: Path) -> str:
    return variant.name.split("__")[0] + ".csv"


def read_alone(path: Path, folder: Path, context: ReadContext) -> pd.DataFrame:
    """The canonical rows of one file, read from a folder of its own under the clean fixture's name (a NIBRS
    release's name gives its months)."""
    folder.mkdir()
    suffix = ".csv.gz" if path.name.endswith(".gz") else ".csv"
    target = folder / (path.name.split("__")[0] + suffix)
    shutil.copyfile(path, target)
    table, _ = sources.load(sources.discover([folder]), context)
    incidents.validate(table, context.neighborhood_numbers)
    return table.drop(columns=["source_file"])
