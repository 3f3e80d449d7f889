"""The documentation cannot drift from the code it describes."""

from __future__ import annotations

import re

from build_data import make_parser
from crimesite import incidents, paths

README = (paths.ROOT / "README.md").read_text()
DICTIONARY = (paths.ROOT / "data" / "README.md").read_text()


def table_fields(markdown: str) -> set[str]:
    """The names in the first cell of every table row that starts with a `code` name."""
    return set(re.findall(r"^\| `([a-z0-9_]+)` \|", markdown, re.M))


def test_every_canonical_column_is_in_the_data_dictionary():
    missing = [c.name for c in incidents.COLUMNS if c.name not in table_fields(DICTIONARY)]
    assert missing == []


def test_every_cli_option_is_in_the_readme():
    parser_options = {option for action in make_parser()._actions for option in action.option_strings}
    parser_options = {option for option in parser_options if option.startswith("--")}
    documented = set(re.findall(r"`(--[a-z-]+)", README))
    assert parser_options - {"--help"} <= documented


def test_the_readme_opens_with_the_two_commands_and_the_makefile_has_them():
    first_block = re.search(r"^```sh\n(.*?)^```", README, re.M | re.S)
    assert first_block, "the README has no sh block"
    commands = [line.split("#")[0].strip() for line in first_block[1].splitlines()]
    assert commands == ["make site", "make test"]
    targets = set(re.findall(r"^([a-z-]+):", (paths.ROOT / "Makefile").read_text(), re.M))
    assert {"site", "test"} <= targets


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^make test$", (paths.ROOT / ".ci" / "run").read_text(), re.M)
