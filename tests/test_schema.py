"""The published schema against the published files: every file of the fixture build holds exactly its schema's
columns, every cell has its field's type and keeps its constraints, and the primary keys are keys."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from crimesite import months, schema
from tests import published

INTEGER = re.compile(r"-?\d+")
DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def downloads(build_dir: Path) -> Path:
    return build_dir / "docs" / "downloads"


@pytest.fixture(scope="module")
def package(fixture_build) -> dict:
    return json.loads((downloads(fixture_build) / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def csv_resources(fixture_build, package) -> list[tuple[dict, pd.DataFrame]]:
    """Each CSV resource of the data package (gzip too) with its file, every cell as text (empty stays empty), and
    its schema given inline (the incident resources name theirs by path)."""
    folder = downloads(fixture_build)
    return [
        (
            resource | {"schema": published.resource_schema(folder, resource)},
            pd.read_csv(folder / resource["path"], dtype=str, keep_default_na=False),
        )
        for resource in package["resources"]
        if resource["format"] == "csv"
    ]


def typed(field: dict, cell: str) -> object:
    """The cell as its Table Schema type says (ValueError when it is not one)."""
    kind = field["type"]
    if kind == "integer":
        if not INTEGER.fullmatch(cell):
            raise ValueError(f"not an integer: {cell!r}")
        return int(cell)
    if kind == "number":
        number = float(cell)
        if not math.isfinite(number):
            raise ValueError(f"not a finite number: {cell!r}")
        return number
    if kind == "boolean":
        if cell not in ("true", "false"):
            raise ValueError(f"not a boolean: {cell!r}")
        return cell == "true"
    if kind == "date":
        return dt.date.fromisoformat(cell)
    if kind == "datetime":
        if not DATETIME.fullmatch(cell):
            raise ValueError(f"not a datetime: {cell!r}")
        return dt.datetime.fromisoformat(cell)
    if kind == "yearmonth":
        return months.key(cell)
    return cell


def cell_problem(field: dict, cell: str) -> str | None:
    """What is wrong with one cell under its field's type and constraints, or None."""
    constraints = field.get("constraints", {})
    if cell == schema.MISSING_VALUE:
        return "empty in a required field" if constraints.get("required") else None
    try:
        value = typed(field, cell)
    except ValueError as error:
        return str(error)
    if "enum" in constraints and value not in constraints["enum"]:
        return f"{value!r} is not one of {constraints['enum']}"
    if "minimum" in constraints and value < constraints["minimum"]:
        return f"{value!r} is below the minimum {constraints['minimum']}"
    if "maximum" in constraints and value > constraints["maximum"]:
        return f"{value!r} is above the maximum {constraints['maximum']}"
    return None


def table_problems(resource: dict, frame: pd.DataFrame) -> list[str]:
    """Every cell that breaks its field's type or constraints, as 'file, line L, column C: problem' (the header
    is line 1), then any repeated primary key."""
    problems = []
    for field in resource["schema"]["fields"]:
        for line, cell in enumerate(frame[field["name"]], start=2):
            problem = cell_problem(field, cell)
            if problem:
                problems.append(f"{resource['path']}, line {line}, column {field['name']}: {problem}")
    key = resource["schema"].get("primaryKey", [])
    repeated = frame[frame.duplicated(key, keep=False)] if key else frame.iloc[:0]
    problems += [f"{resource['path']}, line {index + 2}: primary key {key} repeated" for index in repeated.index]
    return problems


def test_every_published_csv_has_exactly_its_schema_columns_in_order(csv_resources):
    assert len(csv_resources) >= 12  # incidents, the aggregate tables, the other source's figures
    for resource, frame in csv_resources:
        assert list(frame.columns) == [field["name"] for field in resource["schema"]["fields"]], resource["path"]


def test_every_cell_keeps_its_field_type_and_constraints(csv_resources):
    for resource, frame in csv_resources:
        assert len(frame) == resource["rows"], resource["path"]
        assert table_problems(resource, frame) == []


def test_the_enums_hold_what_the_fixture_data_holds(csv_resources, categories):
    """Not only allowed, but used: the enums are the data's values where the fixture data has them all."""
    tables = {resource["name"]: frame for resource, frame in csv_resources}
    incidents = pd.concat(frame for name, frame in tables.items() if re.fullmatch(r"incidents-\d{4}", name))
    assert set(incidents["era"]) == {"ucr", "nibrs"}
    assert {"withheld", "ok"} <= set(incidents["location_status"])  # a sexual offense's rows are withheld
    assert set(tables["annual_counts"]["category"]) == {category.slug for category in categories}


def test_the_table_check_finds_a_bad_cell_and_a_repeated_key():
    resource = {
        "path": "t.csv",
        "schema": {
            "fields": [
                {"name": "month", "type": "yearmonth", "constraints": {"required": True}},
                {"name": "part", "type": "integer", "constraints": {"enum": [1, 2]}},
                {"name": "rate", "type": "number", "constraints": {"minimum": 0}},
            ],
            "primaryKey": ["month"],
        },
    }
    frame = pd.DataFrame(
        {"month": ["2024-01", "2024-01", "", "2024-13"], "part": ["1", "3", "2", "x"], "rate": ["0.5", "", "-1", "1"]}
    )
    assert table_problems(resource, frame) == [
        "t.csv, line 4, column month: empty in a required field",
        "t.csv, line 5, column month: not a month (YYYY-MM): '2024-13'",
        "t.csv, line 3, column part: 3 is not one of [1, 2]",
        "t.csv, line 5, column part: not an integer: 'x'",
        "t.csv, line 4, column rate: -1.0 is below the minimum 0",
        "t.csv, line 2: primary key ['month'] repeated",
        "t.csv, line 3: primary key ['month'] repeated",
    ]


def test_the_parquet_and_yearly_files_have_the_incident_columns_and_rows(fixture_build, package):
    folder = downloads(fixture_build)
    by_path = {resource["path"]: resource for resource in package["resources"]}
    names = [field["name"] for field in published.resource_schema(folder, by_path["incidents.parquet"])["fields"]]
    parquet = pd.read_parquet(folder / "incidents.parquet")
    years = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in published.yearly_files(folder).values()]
    assert list(parquet.columns) == names and all(list(year.columns) == names for year in years)
    assert len(parquet) == sum(map(len, years)) == by_path["incidents.parquet"]["rows"]


def test_each_resource_names_its_key_among_its_fields_once(categories):
    published = schema.resources(categories)
    assert len({resource.name for resource in published}) == len(published)
    for resource in published:
        names = [field.name for field in resource.fields]
        assert len(set(names)) == len(names), resource.name
        assert set(resource.primary_key) <= set(names), resource.name


def test_category_fields_list_the_site_categories(categories):
    slugs = [category.slug for category in categories]
    part1 = [category.slug for category in categories if category.part == 1]
    assert schema.any_category(categories).constraints["enum"] == slugs
    assert schema.part1_category(categories).constraints["enum"] == part1
    assert schema.rate_category(categories).constraints["enum"] == [*part1, "part1"]
    incident_category = next(f for f in schema.incidents_resource(categories, {}).fields if f.name == "category")
    assert incident_category.constraints["enum"] == slugs


def test_incident_fields_name_the_raw_column_they_come_from(categories):
    fields = {f.name: f for f in schema.incident_fields(categories, {"block": "`ILEADSStreet`"})}
    assert fields["block"].description.endswith(". From `ILEADSStreet`")
    assert "From" not in fields["era"].description
    assert fields["location_status"].constraints["enum"][-1] == schema.LOCATION_WITHHELD


def test_a_field_says_its_constraints_in_words_and_in_its_descriptor():
    bounded = schema.Field("month", "integer", "Month", "3", {"minimum": 1, "maximum": 12})
    assert bounded.allowed() == "1 to 12"
    assert bounded.descriptor()["constraints"] == {"minimum": 1, "maximum": 12, "required": True}
    optional = schema.Field("rate", "number", "Rate", "1.5", {"minimum": 0}, "empty when unknown", "per 1,000")
    assert optional.allowed() == "0 or more"
    described = {"name": "rate", "type": "number", "description": "Rate", "example": "1.5", "unit": "per 1,000"}
    assert optional.descriptor() == described | {"constraints": {"minimum": 0}}
    assert schema.Field("era", "string", "Era", "ucr", {"enum": ["ucr", "nibrs"]}).allowed() == "`ucr`, `nibrs`"
