"""The documentation cannot drift from the code it describes."""

from __future__ import annotations

import re

from build_data import make_parser
from crimesite import incidents, paths

README = (paths.ROOT / "README.md").read_text()
DICTIONARY = (paths.ROOT / "data" / "README.md").read_text()


def test_every_canonical_column_is_in_the_data_dictionary():
    missing = [c.name for c in incidents.COLUMNS if f"| `{c.name}` |" not in DICTIONARY]
    assert missing == []


def test_every_cli_option_is_in_the_readme():
    parser_options = {option for action in make_parser()._actions for option in action.option_strings}
    parser_options = {option for option in parser_options if option.startswith("--")}
    documented = set(re.findall(r"`(--[a-z-]+)", README))
    assert parser_options - {"--help"} <= documented


def test_the_readme_gives_the_two_commands():
    assert "make site" in README and "make test" in README


def test_ci_runs_the_readme_test_command():
    assert re.search(r"^make test$", (paths.ROOT / ".ci" / "run").read_text(), re.M)
