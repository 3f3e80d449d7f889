"""The GitHub Actions workflows keep the rules that matter; the test selection GitHub runs is the right one.

zizmor and the workflow JSON schema run in `make lint`; these tests check what neither of them knows about:
this project's triggers, jobs and permissions.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crimesite import paths

WORKFLOWS = paths.ROOT / ".github" / "workflows"
SITE, PULL_REQUEST, FETCH = "site.yml", "pull-request.yml", "fetch-data.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
PINNED_LINE = re.compile(r"^\s*(- )?uses: (?P<action>[^@\s]+)@(?P<sha>[0-9a-f]{40}) # (?P<version>v\d+\.\d+\.\d+)$")
GITHUB_TEST_COMMAND = "make test"  # the whole suite: the real data is in the repository
SITE_PATHS = [
    "data/**",
    "crimesite/**",
    "build_data.py",
    "site.yml",
    "mkdocs.yml",
    "docs/**",
    "overrides/**",
    "requirements.txt",
    "Makefile",
    ".github/workflows/**",
]


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text())
    if True in document:  # YAML 1.1 reads the key `on` as true
        document["on"] = document.pop(True)
    return document


def workflow_names() -> list[str]:
    return sorted(path.name for path in WORKFLOWS.glob("*.y*ml"))


def all_steps(document: dict) -> list[dict]:
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def steps_using(document: dict, action: str) -> list[dict]:
    return [step for step in all_steps(document) if step.get("uses", "").split("@")[0] == action]


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def makefile_recipe(target: str) -> str:
    text = (paths.ROOT / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)*)", text, re.M)
    assert match, f"no {target} target in the Makefile"
    return match.group(1)


def test_the_three_workflows_are_there():
    assert {SITE, PULL_REQUEST, FETCH} <= set(workflow_names())


@pytest.mark.parametrize("name", workflow_names())
def test_every_action_is_pinned_to_a_commit_with_its_release_in_a_comment(name):
    document = load(name)
    uses = [step["uses"] for step in all_steps(document) if "uses" in step]
    uses += [job["uses"] for job in document["jobs"].values() if "uses" in job]
    assert uses, "a workflow with no actions: the check below would pass without checking anything"
    assert [u for u in uses if not PINNED.match(u)] == []
    lines = [line for line in (WORKFLOWS / name).read_text().splitlines() if re.match(r"^\s*(- )?uses:", line)]
    assert len(lines) == len(uses)
    assert [line for line in lines if not PINNED_LINE.match(line)] == []


def test_an_action_is_pinned_to_the_same_release_everywhere():
    pins: dict[str, set[tuple[str, str]]] = {}
    for name in workflow_names():
        for line in (WORKFLOWS / name).read_text().splitlines():
            if match := PINNED_LINE.match(line):
                pins.setdefault(match["action"], set()).add((match["sha"], match["version"]))
    assert {"actions/checkout", "actions/setup-python", "actions/upload-artifact"} <= pins.keys()
    assert {action: pin for action, pin in pins.items() if len(pin) > 1} == {}


@pytest.mark.parametrize("name", workflow_names())
def test_permissions_are_granted_per_job_only(name):
    document = load(name)
    assert document["permissions"] == {}
    assert [job for job, body in document["jobs"].items() if "permissions" not in body] == []


@pytest.mark.parametrize("name", workflow_names())
def test_no_workflow_runs_pull_request_code_with_the_repository_token(name):
    assert "pull_request_target" not in load(name)["on"]
    assert "workflow_run" not in load(name)["on"]


@pytest.mark.parametrize("name", workflow_names())
def test_checkouts_keep_no_credentials_and_python_is_311_with_a_pip_cache(name):
    document = load(name)
    assert [s for s in steps_using(document, "actions/checkout") if s["with"]["persist-credentials"] is not False] == []
    for step in steps_using(document, "actions/setup-python"):
        assert step["with"] == {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "requirements.txt"}


def test_the_site_is_built_on_pushes_to_main_that_change_data_code_or_config_and_by_hand():
    triggers = load(SITE)["on"]
    assert set(triggers) == {"push", "workflow_dispatch"}
    assert triggers["push"]["branches"] == ["main"]
    assert sorted(triggers["push"]["paths"]) == sorted(SITE_PATHS)


def test_the_site_is_deployed_only_after_the_build_succeeds():
    jobs = load(SITE)["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert "always()" not in deploy.get("if", "") and "failure()" not in deploy.get("if", "")
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert GITHUB_TEST_COMMAND in runs(build) and "make site" in runs(build)
    assert [s["with"]["path"] for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [s.get("uses", "").split("@")[0] for s in deploy["steps"]] == [
        "actions/configure-pages",
        "actions/deploy-pages",
    ]
    upload = next(s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert "if" not in upload  # uploaded only when every step before it succeeded
    assert '"--strict",' in (paths.PACKAGE / "output.py").read_text()  # make site's MkDocs build is strict


def test_deploys_never_overlap_and_a_deploy_in_progress_is_never_cancelled():
    concurrency = load(SITE)["concurrency"]
    assert concurrency["group"]
    assert concurrency["cancel-in-progress"] is False


def test_the_pull_request_workflow_builds_and_compares_but_never_deploys():
    document = load(PULL_REQUEST)
    assert set(document["on"]) == {"pull_request"}
    granted = {scope: level for job in document["jobs"].values() for scope, level in job["permissions"].items()}
    assert granted == {"contents": "read"}
    used = {step.get("uses", "").split("@")[0] for step in all_steps(document)}
    assert not used & {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}
    uploads = steps_using(document, "actions/upload-artifact")
    artifacts = {step["with"]["name"]: step["with"]["path"] for step in uploads}
    assert artifacts == {"site": "site/", "screenshots": "test-artifacts/screenshots/"}
    [job] = document["jobs"].values()
    assert GITHUB_TEST_COMMAND in runs(job) and "make site" in runs(job)
    base = [s for s in steps_using(document, "actions/checkout") if "ref" in s.get("with", {})]
    assert [(s["with"]["ref"], s["with"]["path"]) for s in base] == [
        ("${{ github.event.pull_request.base.sha }}", "base")
    ]
    assert "make -C base data" in runs(job) and "--no-site" in makefile_recipe("data")
    compare = next(s["run"] for s in job["steps"] if "crimesite.compare" in s.get("run", ""))
    assert "base/build/docs/downloads build/docs/downloads" in compare and '>> "$GITHUB_STEP_SUMMARY"' in compare


def test_the_fetch_workflow_runs_monthly_commits_new_data_and_starts_the_site_workflow():
    document = load(FETCH)
    assert set(document["on"]) == {"schedule", "workflow_dispatch"}
    [schedule] = document["on"]["schedule"]
    _minute, _hour, day, month, weekday = schedule["cron"].split()
    assert day.isdigit() and 1 <= int(day) <= 28 and (month, weekday) == ("*", "*")  # once a month
    fetch, start = document["jobs"]["fetch"], document["jobs"]["start-site"]
    assert fetch["permissions"] == {"contents": "write"}
    assert start["permissions"] == {"actions": "write"}
    assert start["needs"] in ("fetch", ["fetch"]) and "changed == 'true'" in start["if"]
    assert "build_data.py fetch" in runs(fetch)
    assert "git status --porcelain -- data" in runs(fetch)
    assert 'git config user.name "github-actions[bot]"' in runs(fetch)
    assert "HEAD:refs/heads/main" in runs(fetch)
    started = re.search(r"gh workflow run (\S+) --ref main", runs(start))
    assert started and started[1] == SITE and "workflow_dispatch" in load(SITE)["on"]


def test_github_and_our_ci_run_the_whole_suite():
    commands = [
        line.strip()
        for name in workflow_names()
        for step in all_steps(load(name))
        for line in step.get("run", "").splitlines()
        if line.strip().startswith("make test")
    ]
    assert commands and set(commands) == {GITHUB_TEST_COMMAND}
    assert (paths.ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == "make test"
    assert "PYTEST_ARGS ?=\n" in (paths.ROOT / "Makefile").read_text()
    assert "pytest $(PYTEST_ARGS)" in makefile_recipe("test")


def test_make_lint_audits_the_workflows_offline():
    recipe = makefile_recipe("lint")
    assert "zizmor --offline" in recipe and ".github/workflows/" in recipe
    assert "check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/" in recipe


# The real_data marker (tests/conftest.py) is what lets GitHub run the suite without ../shared.


def test_no_test_reads_shared_except_through_a_marked_fixture():
    """Only conftest.py's fixtures (named in REAL_DATA_FIXTURES) may touch ../shared, so the marker sees them all."""
    touching = [
        f"{path.name}:{node.lineno}"
        for path in sorted((paths.ROOT / "tests").glob("*.py"))
        if path.name not in {"conftest.py", Path(__file__).name}  # conftest reads ../shared; this file names it
        for node in ast.walk(ast.parse(path.read_text()))
        if (isinstance(node, ast.Name) and node.id in {"shared_folder", "SHARED_DATA"})
        or (isinstance(node, ast.Attribute) and node.attr in {"shared_folder", "SHARED_DATA"})
        or (isinstance(node, ast.alias) and node.name in {"shared_folder", "SHARED_DATA"})
        or (isinstance(node, ast.Constant) and node.value == "shared")
    ]
    assert touching == []


def test_every_conftest_fixture_that_reads_shared_marks_its_tests():
    from tests import conftest

    tree = ast.parse(Path(conftest.__file__).read_text())
    reading = {
        function.name
        for function in tree.body
        if isinstance(function, ast.FunctionDef)
        and any(isinstance(n, ast.Name) and n.id in {"shared_folder", "SHARED_DATA"} for n in ast.walk(function))
    }
    assert reading - {"shared_folder"} <= conftest.REAL_DATA_FIXTURES


def collected(*args: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        check=True,
    )
    return {line for line in result.stdout.splitlines() if "::" in line}


def test_the_real_data_tests_read_the_repository_and_run_everywhere():
    """No test reads ../shared today, so GitHub's runners (which do not have it) run every real-data test too."""
    unmarked = collected("-m", "not real_data")
    assert collected("tests/test_real_data.py") <= unmarked
    assert "tests/test_nibrs.py::test_real_january_february_2024_homicide_victims" in unmarked
    assert "tests/test_places.py::test_every_place_page_exists_and_is_linked" in unmarked


def make_dry_run(*args: str) -> list[str]:
    """The commands `make -n` would run (nothing is run), without the set-up of .venv. Run from `make test`, the
    make above passes its level and flags down (and make would print "Entering directory"): they are left out."""
    env = {key: value for key, value in os.environ.items() if key not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-o", ".venv/.installed", *args],
        capture_output=True,
        text=True,
        cwd=paths.ROOT,
        env=env,
        check=True,
    )
    return result.stdout.splitlines()


def test_make_site_and_data_build_from_raw_when_given():
    assert make_dry_run("site") == [".venv/bin/python build_data.py "]
    assert make_dry_run("site", "RAW=a/b c.csv.gz") == [".venv/bin/python build_data.py --raw a/b c.csv.gz"]
    assert make_dry_run("data", "RAW=sample-raw") == [".venv/bin/python build_data.py --no-site --raw sample-raw"]


def test_make_serve_serves_what_was_built_without_rebuilding():
    commands = make_dry_run("serve")
    assert not any("build_data.py" in line or "mkdocs" in line for line in commands)
    assert any("http.server --bind 127.0.0.1 --directory site 8000" in line for line in commands)


def test_make_sample_site_builds_the_generated_sample():
    assert make_dry_run("sample-site") == [
        ".venv/bin/python scripts/make_sample.py --out sample-raw",
        ".venv/bin/python build_data.py --raw sample-raw",
    ]
