"""The published incident files read as a reader reads them, apart from the code that writes them: the yearly gzip
CSVs of a downloads folder (found by their names, not by the package), joined as the downloads page's command
joins them, and each resource's Table Schema (inline, or the file its `schema` names)."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

YEARLY = re.compile(r"incidents-(\d{4})\.csv\.gz")


def yearly_files(folder: Path) -> dict[int, Path]:
    """year -> the year's gzip CSV, in year order."""
    found = {int(m[1]): path for path in folder.iterdir() if (m := YEARLY.fullmatch(path.name))}
    return dict(sorted(found.items()))


def yearly_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


def joined_text(folder: Path) -> str:
    """Every year's CSV one after the other, with the first file's header line only."""
    texts = [yearly_text(path) for path in yearly_files(folder).values()]
    return "".join(text if i == 0 else text.split("\n", 1)[1] for i, text in enumerate(texts))


def incident_rows(folder: Path) -> list[dict[str, str]]:
    """The rows of every yearly file, in year order, as the csv module reads them."""
    return list(csv.DictReader(io.StringIO(joined_text(folder), newline="")))


def resource_schema(folder: Path, resource: dict) -> dict:
    """A resource's Table Schema: given inline, or as a path beside datapackage.json."""
    described = resource["schema"]
    return json.loads((folder / described).read_text(encoding="utf-8")) if isinstance(described, str) else described


def page_command(page: str) -> str:
    """The one shell command of the downloads page (its Markdown)."""
    (command,) = re.findall(r"^```sh\n(.*?)\n```$", page, re.M | re.S)
    return command


def joined_by_page_command(folder: Path, page: str, into: Path) -> str:
    """The CSV the downloads page's command writes, run by `sh` in `into` on copies of the yearly files of
    `folder`, as a reader runs it in the folder they downloaded them to."""
    for path in yearly_files(folder).values():
        shutil.copy(path, into)
    subprocess.run(["sh", "-c", page_command(page)], cwd=into, check=True, capture_output=True)
    return (into / "incidents.csv").read_bytes().decode("utf-8")
