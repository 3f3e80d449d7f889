"""A privacy scan of every published byte of a build, against facts read from the raw files with the csv module
(independently of the code under test). scan() returns the leaks of each class; tests/test_privacy.py asserts
that each list is empty, and `python -m tests.privacy_scan BUILD SITE RAW PLACES...` prints their numbers (how
the figures before and after issue 12 were measured)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SEXUAL_CLASSES = {"02", "17"}
SEXUAL_NIBRS = {"11A", "11B", "11C", "11D", "36A", "36B"}
LAT_RANGE, LON_RANGE = (38.4, 38.9), (-90.5, -90.0)  # St. Louis and well around it
INTERSTATES = {"40", "44", "55", "64", "70", "170", "255", "270", "755"}
BINARY = {".png", ".jpg", ".ico", ".woff", ".woff2", ".ttf"}
YEARLY_INCIDENTS = re.compile(r"downloads/incidents-\d{4}\.csv\.gz$")  # the incident table, one file a year
# A published block label: an optional hundred block, then a street name without a number of 4 digits or more
# and without brackets, colons or underscores (state-plane pairs look like "XY(90289785,101148263)").
LABEL = re.compile(r"(?:(?:0|[1-9]\d*00) block )?(?=.*[A-Z])(?!.*\d{4})[A-Z0-9 '.,/@&-]+|unknown block")


@dataclass
class RawFacts:
    addresses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # number -> streets
    state_plane: set[str] = field(default_factory=set)  # integer parts of raw XCoord/YCoord
    withheld_complaints: set[str] = field(default_factory=set)  # normalised complaint / incident numbers
    withheld_lines: set[tuple[str, int]] = field(default_factory=set)  # (file, line) without a complaint
    plane_range: tuple[int, int] = (10**12, 0)


def complaint_key(text: str) -> str:
    """'24-000777', '024000777' and '24000777' are one incident number."""
    return re.sub(r"\D", "", text).lstrip("0") or text.strip()


def add_address(facts: RawFacts, number: str, street: str) -> None:
    number, street = number.strip().lstrip("#"), " ".join(street.split())
    # An interstate's number before a direction is a route ("55 SOUTHBOUND"), not a house.
    if number.isdigit() and int(number) % 100 != 0 and street and number not in INTERSTATES:
        facts.addresses[number].add(street)


def raw_rows(path: Path):
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip().lower().replace(" ", "") for name in next(reader)]
        for record in reader:
            if record:
                yield reader.line_num, dict(zip(header, record, strict=False))


def read_raw(folder: Path) -> RawFacts:
    facts = RawFacts()
    low, high = facts.plane_range
    for path in sorted(folder.rglob("*")):
        if not re.search(r"\.csv(\.gz)?$", path.name, re.I):
            continue
        name = path.relative_to(folder).as_posix()
        sexual_keys, rows = set(), []
        for line, row in raw_rows(path):
            if "incidentnum" in row:
                location = row.get("incidentlocation", "").strip()
                found = re.match(r"^#?(\d+)[A-Z]?\s+(.+)$", location)
                if found:
                    add_address(facts, found.group(1), found.group(2))
                if row.get("nibrs", "").strip().upper() in SEXUAL_NIBRS or row.get("srs_ucr", "").strip().zfill(2) in (
                    SEXUAL_CLASSES
                ):
                    facts.withheld_complaints.add(complaint_key(row["incidentnum"]))
                continue
            street = row.get("ileadsstreet", "")
            add_address(facts, row.get("cadaddress", ""), row.get("cadstreet", ""))  # CAD fields: never published
            facts.state_plane |= set(re.findall(r"\d{7,9}", street))  # XY(90289785,101148263) as a street
            add_address(facts, row.get("ileadsaddress", ""), street)
            found = re.match(r"^\s*(\d+)\s+(.+)$", street)
            if found:
                add_address(facts, found.group(1), found.group(2))
            for column in ("xcoord", "ycoord"):
                value = row.get(column, "").strip().split(".")[0]
                if value.isdigit() and int(value) > 0:
                    facts.state_plane.add(value)
                    low, high = min(low, int(value)), max(high, int(value))
            sexual = row.get("crime", "").strip().zfill(6)[:2] in SEXUAL_CLASSES
            complaint = row.get("complaint", "").strip()
            if sexual and complaint:
                facts.withheld_complaints.add(complaint_key(complaint))
            occurred = row.get("dateoccur", row.get("dateoccured", "")).strip()
            place = (row.get("ileadsaddress", "").strip(), street.strip())
            coordinates = (row.get("xcoord", "").strip(), row.get("ycoord", "").strip())
            neighborhood = row.get("neighborhood", "").strip()
            keys = set()
            if occurred and place[1]:
                keys.add((occurred, "a", *place))
            if occurred and "" not in coordinates and "0" not in coordinates:
                keys.add((occurred, "c", *coordinates))
            if occurred and neighborhood not in ("", "0"):
                keys.add((occurred, "n", neighborhood))
            if sexual:
                sexual_keys |= keys
            if not complaint:
                rows.append((line, keys))
        facts.withheld_lines |= {(name, line) for line, keys in rows if keys & sexual_keys}
    facts.plane_range = (low, high)
    return facts


def published_texts(*folders: Path) -> dict[str, str]:
    """Every published file as text, each distinct content once: gzip decompressed, Parquet as CSV."""
    texts, seen = {}, set()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if path.suffix.lower() in BINARY or "assets" in path.relative_to(folder).parts[:1]:
                continue
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            elif path.suffix == ".parquet":
                out = io.BytesIO()
                pacsv.write_csv(pq.read_table(io.BytesIO(data)), out)
                data = out.getvalue()
            digest = hashlib.sha256(data).hexdigest()
            if digest not in seen:
                seen.add(digest)
                texts[str(path)] = data.decode("utf-8", errors="replace")
    return texts


def boundary_values(paths: list[Path]) -> set[float]:
    """Every coordinate in the public boundary files: the choropleths publish them as they are."""
    values: set[float] = set()

    def walk(item) -> None:
        if isinstance(item, list):
            if item and all(isinstance(v, int | float) for v in item):
                values.update(round(float(v), d) for v in item for d in range(4, 16))
            else:
                for part in item:
                    walk(part)

    for path in paths:
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            walk(feature["geometry"]["coordinates"])
    return values


def house_numbers(text: str, facts: RawFacts) -> list[str]:
    found = []
    for match in re.finditer(r"(?<![\w.-])(?<![A-Z] )(\d{1,6}) ", text):
        streets = facts.addresses.get(match.group(1))
        if streets:
            after = text[match.end() : match.end() + 60]
            found += [
                f"{match.group(1)} {s}"
                for s in streets
                if after.startswith(s) and not after[len(s) : len(s) + 1].isalnum()
            ]
    return found


def fine_coordinates(text: str, allowed: set[float]) -> list[str]:
    found = []
    for match in re.finditer(r"(?<![\d.])-?\d{2}\.\d{4,}", text):
        value = float(match.group())
        in_city = LAT_RANGE[0] <= value <= LAT_RANGE[1] or LON_RANGE[0] <= value <= LON_RANGE[1]
        decimals = len(match.group()) - match.group().index(".") - 1
        if in_city and round(value, decimals) not in allowed:
            found.append(match.group())
    return found


def state_plane(text: str, facts: RawFacts, ranged: bool = True) -> list[str]:
    """Raw XCoord/YCoord values (and the state-plane pairs some street fields hold), and with `ranged` any number
    of 7 digits or more in their range (not a JSON size). The search index runs table cells together ("4,100"
    and "2017-06" make "4,1002017-06", and a raw Y is such a 7-digit number): there only the 8- and 9-digit figures
    of the street fields' XY(...) pairs are checked; the pages it indexes get every check."""
    low, high = facts.plane_range
    found = []
    for match in re.finditer(r"(?<![\w.-])([1-9]\d{5,8})(?![\w])", text):  # raw X is 6 digits, Y 7, XY() 8-9
        value = match.group(1)
        before = text[max(0, match.start() - 12) : match.start()]
        in_range = (
            ranged
            and len(value) >= 7
            and low <= int(value) <= high
            and not re.search(r'"(bytes|size|rows)": $', before)
        )
        if (value in facts.state_plane and (ranged or len(value) >= 8)) or in_range:
            found.append(value)
    return found


def map_points(texts: dict[str, str]) -> list[dict[str, str]]:
    points = []
    for text in texts.values():
        for match in re.finditer(r'"(x,y,category,block,n\\n(?:[^"\\]|\\.)*)"', text):
            points += list(csv.DictReader(io.StringIO(json.loads(f'"{match.group(1)}"'))))
    return points


def incident_tables(texts: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The published incident rows of each format: every yearly gzip CSV one after the other, and the Parquet file
    when there is one (as published_texts writes it as CSV)."""
    yearly = sorted(path for path in texts if YEARLY_INCIDENTS.search(path))
    if not yearly:
        raise ValueError("no published incident file (downloads/incidents-YYYY.csv.gz) to scan")
    tables = {"yearly CSV": [row for path in yearly for row in csv.DictReader(io.StringIO(texts[path], newline=""))]}
    parquet = [path for path in texts if path.endswith("downloads/incidents.parquet")]
    if parquet:
        tables["Parquet"] = list(csv.DictReader(io.StringIO(texts[parquet[0]], newline="")))
    return tables


def row_leaks(rows: list[dict[str, str]], facts: RawFacts, points: list[dict[str, str]]) -> dict[str, list]:
    """The leaks of one published incident table's rows, and where the map's points differ from them."""
    leaks: dict[str, list] = defaultdict(list)
    for row in rows:
        withheld = (
            complaint_key(row["complaint"]) in facts.withheld_complaints
            if row["complaint"]
            else ((row["source_file"], int(row["source_line"])) in facts.withheld_lines)
        )
        if withheld and (row["block"] or row["latitude"] or row["location_status"] != "withheld"):
            leaks["withheld incident located"].append((row["source_file"], row["source_line"], row["block"]))
    positions = {(row["block"], row["longitude"], row["latitude"]) for row in rows if row["latitude"]}
    by_block = {block: (lon, lat) for block, lon, lat in positions}
    for point in points:
        lon, lat = by_block.get(point["block"], (None, None))
        if lon is None or (float(lon), float(lat)) != (float(point["x"]), float(point["y"])):
            leaks["map position differs from downloads"].append((point["block"], point["x"], point["y"], lon, lat))
    per_block = Counter(block for block, _, _ in positions)
    leaks["blocks with two published positions"] = sorted(block for block, n in per_block.items() if n > 1)
    return leaks


def scan(build_dir: Path, site_dir: Path, raw_folder: Path, boundaries: list[Path]) -> dict[str, list]:
    """The leaks of each class in a built site (empty lists: none)."""
    facts = read_raw(raw_folder)
    texts = published_texts(site_dir, build_dir / "docs")
    allowed = boundary_values(boundaries)
    leaks: dict[str, list] = defaultdict(list)
    for path, text in texts.items():
        leaks["house number"] += [(path, v) for v in house_numbers(text, facts)]
        leaks["fine coordinate"] += [(path, v) for v in fine_coordinates(text, allowed)]
        ranged = not path.endswith("search_index.json")
        leaks["state-plane figure"] += [(path, v) for v in state_plane(text, facts, ranged)]
    points = map_points(texts)
    tables = incident_tables(texts)
    blocks = {row["block"] for rows in tables.values() for row in rows if row["block"]}
    leaks["block label"] = sorted(b for b in blocks | {p["block"] for p in points} if not LABEL.fullmatch(b))
    for name, rows in tables.items():  # each format on its own: the Parquet file must keep the rules too
        for kind, found in row_leaks(rows, facts, points).items():
            leaks[kind] += [(name, *item) if isinstance(item, tuple) else (name, item) for item in found]
    return dict(leaks)


if __name__ == "__main__":
    build, site, raw, *shapes = (Path(arg) for arg in sys.argv[1:])
    for kind, found in scan(build, site, raw, shapes).items():
        print(f"{kind}: {len(found)}", *found[:5], sep="\n  ")
