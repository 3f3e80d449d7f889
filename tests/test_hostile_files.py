"""Hostile files and folders: gzip bombs, links out of the raw folder, pipes, digits that are not 0-9, command-line
mistakes, folders that cannot be written, and a build killed while it swaps its output in. Every fixture is made
here, in tmp_path, by the helpers below."""

from __future__ import annotations

import contextlib
import gzip
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from crimesite import config, geo, output, paths, sources, textio
from crimesite.errors import DataError
from tests.conftest import FIXTURES
from tests.test_bad_input import GOOD_ROW, HEADER_20, crlf, run_cli, tree_hashes, with_field, write_raw

NIBRS_LINES = (FIXTURES / "nibrs" / "Crime-01-2024.csv").read_text(encoding="utf-8").splitlines()
LEGACY = crlf(HEADER_20, GOOD_ROW, with_field(0, "14-000102"))
SECRET = "hunter2-do-not-print-me"


def problems_for(paths_given: list[Path], context) -> list[str]:
    with pytest.raises(DataError) as caught:
        sources.load(sources.discover(paths_given), context)
    return [str(problem) for problem in caught.value.problems]


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def write_bomb(path: Path, unpacked_mb: int, head: bytes = b"") -> Path:
    """A gzip file of `head` and then zeros, `unpacked_mb` MB in all once unpacked (a thousandth of that on disk)."""
    zeros = b"\0" * textio.MB
    with path.open("wb") as file, gzip.GzipFile(filename="", mode="wb", fileobj=file, mtime=0) as packer:
        packer.write(head)
        for _ in range(unpacked_mb):
            packer.write(zeros)
    return path


# ----- 1. gzip bombs and files past the size limit ---------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_limit_without_unpacking_the_rest(tmp_path, context):
    (tmp_path / "raw").mkdir()
    bomb = write_bomb(tmp_path / "raw" / "feb.csv.gz", 200, head=crlf(HEADER_20, GOOD_ROW))
    assert bomb.stat().st_size < 400_000  # 200 MB unpacked
    small = textio.SizeLimit(max_bytes=2 * textio.MB)
    tracemalloc.start()
    with pytest.raises(DataError) as caught:
        sources.load(sources.discover([bomb.parent]), replace(context, size_limit=small))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(problem) for problem in caught.value.problems] == [
        f"{bomb}:1: column (file): value 'feb.csv.gz': expected a gzip file that unpacks to at most 2 MB "
        "(reader.max_file_mb and reader.max_gzip_ratio in site.yml); this one unpacks to more: a gzip bomb?"
    ]
    assert peak < 12 * textio.MB  # the limit, a chunk of input and a little more; not the 200 MB


def test_a_plain_file_past_the_limit_is_refused(tmp_path, context):
    raw = write_raw(tmp_path / "raw", {"feb.csv": LEGACY + (GOOD_ROW + "\r\n").encode() * 20_000})  # about 2 MB
    small = textio.SizeLimit(max_bytes=1 * textio.MB)
    with pytest.raises(DataError) as caught:
        sources.load(sources.discover([raw]), replace(context, size_limit=small))
    [problem] = [str(problem) for problem in caught.value.problems]
    assert problem == (
        f"{raw}/feb.csv:1: column (file): value 'feb.csv': expected a file of at most 1 MB "
        "(reader.max_file_mb in site.yml); this one is larger"
    )
    # The same file is refused before it is read at all (not even hashed) when discover is given the limit.
    with pytest.raises(DataError) as caught:
        sources.discover([raw], small)
    assert [str(problem) for problem in caught.value.problems] == [problem]


def test_the_default_limit_is_64_times_the_gzip_size_from_16_mb_to_2_gb():
    limit = textio.SizeLimit()
    assert limit.max_bytes == 2048 * textio.MB
    assert limit.for_gzip(200_000) == 16 * textio.MB  # a real month: 64 x 0.2 MB is below the 16 MB floor
    assert limit.for_gzip(21 * textio.MB) == 64 * 21 * textio.MB
    assert limit.for_gzip(100 * textio.MB) == 2048 * textio.MB


def test_the_limits_are_read_from_site_yml():
    data = yaml.safe_load(paths.SITE_CONFIG.read_text())
    data["reader"].update(max_file_mb=5, max_gzip_ratio=10)
    assert config.parse_config(data, paths.ROOT).reader.size_limit() == textio.SizeLimit(5 * textio.MB, 10)
    del data["reader"]["max_file_mb"], data["reader"]["max_gzip_ratio"]
    assert config.parse_config(data, paths.ROOT).reader.size_limit() == textio.SizeLimit()
    for wrong in (0, -1, "64", 1.5, True):
        data["reader"]["max_gzip_ratio"] = wrong
        with pytest.raises(ValueError, match=r"reader\.max_gzip_ratio must be a whole number of 1 or more"):
            config.parse_config(data, paths.ROOT)


def test_every_real_file_is_far_inside_the_default_limit():
    limit = textio.SizeLimit()
    files = sorted(paths.RAW_DIR.rglob("*.csv.gz"))
    assert len(files) > 150
    for path in files:
        unpacked = len(textio.read_raw_bytes(path))
        assert unpacked * 8 < limit.for_gzip(path.stat().st_size), path


def test_the_cli_stops_a_gzip_bomb_with_one_line_under_the_default_limit(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    write_raw(raw, {"jan.csv": crlf(HEADER_20, with_field(1, "2014-01"))})
    bomb = write_bomb(raw / "feb.csv.gz", 40, head=LEGACY)  # 40 MB from 40 KB: past the 16 MB floor
    result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(tmp_path / "build"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert error_lines(result) == [
        f"error: {bomb}:1: column (file): value 'feb.csv.gz': expected a gzip file that unpacks to at most 16 MB "
        "(reader.max_file_mb and reader.max_gzip_ratio in site.yml); this one unpacks to more: a gzip bomb?"
    ]
    assert not (tmp_path / "build").exists()


def test_streamed_gunzip_reads_what_gzip_reads():
    """Several members, padding between them, a cut-short stream and a bad checksum, as the gzip module sees them."""
    two = gzip.compress(b"a,b\n", mtime=0) + b"\0\0" + gzip.compress(b"1,2\n", mtime=0)
    assert textio.decompress(two, "x.csv.gz") == gzip.decompress(two) == b"a,b\n1,2\n"
    with pytest.raises(EOFError, match="Compressed file ended"):
        textio.decompress(gzip.compress(b"a,b\n" * 1000)[:-12], "x.csv.gz")
    damaged = bytearray(gzip.compress(b"a,b\n" * 1000, mtime=0))
    damaged[-6] ^= 1  # the CRC
    with pytest.raises(Exception, match="incorrect data check"):
        textio.decompress(bytes(damaged), "x.csv.gz")


# ----- 2. only regular files inside the --raw folders; nothing of a non-text file is printed ------------------------


def test_a_link_out_of_the_raw_folder_is_refused_and_its_content_never_printed(tmp_path):
    raw = write_raw(tmp_path / "raw", {"feb.csv": LEGACY})
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes(crlf(HEADER_20, with_field(1, "2014-03")))
    (raw / "environ.csv").symlink_to("/proc/self/environ")
    (raw / "march.csv").symlink_to(outside)
    result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(tmp_path / "build"), env={"X_TOKEN": SECRET})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [environ, march] = error_lines(result)
    assert environ.startswith(
        f"error: {raw}/environ.csv:1: column (file): value 'environ.csv': expected a file "
        "inside the folders given to --raw; this is a link to /proc/"
    )
    assert march == (
        f"error: {raw}/march.csv:1: column (file): value 'march.csv': expected a file inside the "
        f"folders given to --raw; this is a link to {outside}"
    )
    assert SECRET not in result.stderr and "X_TOKEN" not in result.stderr
    assert not (tmp_path / "build").exists()


def test_a_non_text_file_given_by_name_is_refused_without_its_bytes(tmp_path):
    """A link given by name is the root itself, so it is read: the NUL bytes of its first line say it is no CSV."""
    link = tmp_path / "environ.csv"
    link.symlink_to("/proc/self/environ")
    result = run_cli("--raw", str(link), "--no-site", "--build-dir", str(tmp_path / "build"), env={"X_TOKEN": SECRET})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert error_lines(result) == [
        f"error: {link}:1: column (file): value 'environ': expected a CSV text file (UTF-8 or Windows-1252); "
        "this is binary data, not CSV text (its first line holds control characters)"
    ]
    assert SECRET not in result.stderr


def test_a_pipe_or_a_linked_folder_with_a_csv_name_is_refused_without_waiting(tmp_path, context):
    raw = write_raw(tmp_path / "raw", {"feb.csv": LEGACY})
    os.mkfifo(raw / "pipe.csv")  # opening it to read would wait for a writer forever
    (tmp_path / "folder").mkdir()
    (raw / "folder.csv").symlink_to(tmp_path / "folder")
    (raw / "sub").mkdir()
    (raw / "sub" / "folder.csv").symlink_to(raw / "sub")  # inside the raw folder, but a folder
    assert problems_for([raw], context) == [
        f"{raw}/folder.csv:1: column (file): value 'folder.csv': expected a file inside the folders given to --raw; "
        f"this is a link to {tmp_path / 'folder'}",
        f"{raw}/pipe.csv:1: column (file): value 'pipe.csv': expected a regular file; this is a named pipe (FIFO)",
        f"{raw}/sub/folder.csv:1: column (file): value 'folder.csv': expected a regular file; this is a folder",
    ]


def test_a_link_inside_the_raw_folders_is_read_once_under_the_files_own_name(tmp_path, context):
    raw = write_raw(tmp_path / "raw", {"2014/feb.csv": LEGACY})
    (raw / "latest.csv").symlink_to(raw / "2014" / "feb.csv")
    found = sources.discover([raw])
    assert [raw_file.name for raw_file in found] == ["2014/feb.csv"]
    table, _ = sources.load(found, context)
    assert len(table) == 2


def test_a_header_with_control_characters_is_not_shown(tmp_path, context):
    raw = write_raw(tmp_path / "raw", {"feb.csv": b"PASSWORD=" + SECRET.encode() + b"\0HOME=/root\0\n1,2\n"})
    [problem] = problems_for([raw], context)
    assert SECRET not in problem and "binary data, not CSV text (its first line holds control characters)" in problem
    # Nor a first line of text with no separator at all: whatever it is, it is no CSV file.
    (raw / "feb.csv").write_bytes(b"PASSWORD=" + SECRET.encode() + b"\nHOME=/root\n")
    [problem] = problems_for([raw], context)
    assert problem == (
        f"{raw}/feb.csv:1: column (header): value '': expected {sources.SLMPD_HEADERS}{sources.NOT_CSV_HINT}"
    )
    # A header that is text with separators is still shown, as the hint to what the file is.
    (raw / "feb.csv").write_bytes(crlf("Date;Offense;Count", "2014-02-01;THEFT;1"))
    [problem] = problems_for([raw], context)
    assert "value 'Date;Offense;Count'" in problem and "separated by semicolons" in problem


# ----- 3. every rejected value is located ------------------------------------------------------------------------


def labels_for(paths_given: list[Path], context) -> dict[tuple[str, int], str]:
    table, _ = sources.load(sources.discover(paths_given), context)
    return {
        (str(file), int(line)): block
        for file, line, block in zip(table["source_file"], table["source_line"], table["block"], strict=True)
    }


def test_full_width_digits_in_an_address_make_a_hundred_block(tmp_path, context):
    """Full-width digits are digits once NFKC-normalised (geo.normalize_text): the block label is the hundred block,
    as for ASCII digits; before, a street field with them stopped the build with an error naming no line."""
    legacy = crlf(HEADER_20, with_field(11, "３７１２"), with_field(12, "３７１２ S BROADWAY"))
    nibrs = "\n".join([NIBRS_LINES[0], NIBRS_LINES[1].replace("3218 N. NEWSTEAD", "３２１８ N NEWSTEAD")])
    raw = write_raw(tmp_path / "raw", {"feb.csv": legacy, "Crime-01-2024.csv": (nibrs + "\n").encode()})
    labels = labels_for([raw], context)
    assert labels[("feb.csv", 2)].startswith("3700 block ")
    assert labels[("feb.csv", 3)] == "3700 block S BROADWAY"
    assert {block for (file, _), block in labels.items() if file == "Crime-01-2024.csv"} == {"3200 block N NEWSTEAD"}


def test_a_house_number_too_long_to_be_a_house_is_an_unknown_block(tmp_path, context):
    """Twenty digits crashed the block label's integers with no file, line or column; a number longer than any house
    number (a state-plane figure, an ID) is now the unknown block, counted on the data-quality page."""
    legacy = crlf(HEADER_20, with_field(11, "9" * 20), with_field(12, "99999999999999999999 MAIN"))
    nibrs = "\n".join([NIBRS_LINES[0], NIBRS_LINES[1].replace("3218 N. NEWSTEAD", "32180000000 N. NEWSTEAD")])
    raw = write_raw(tmp_path / "raw", {"feb.csv": legacy, "Crime-01-2024.csv": (nibrs + "\n").encode()})
    labels = labels_for([raw], context)
    assert labels[("feb.csv", 2)] == geo.UNKNOWN_BLOCK
    assert labels[("feb.csv", 3)] == "3700 block MAIN"  # the house-number field (3712) wins over the street's digits
    assert {block for (file, _), block in labels.items() if file == "Crime-01-2024.csv"} == {geo.UNKNOWN_BLOCK}


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` made read-only, for root too (which ignores the mode bits: the immutable flag stops it)."""
    folder.chmod(0o555)
    immutable = os.geteuid() == 0 and subprocess.run(["chattr", "+i", str(folder)], check=False).returncode == 0
    try:
        with contextlib.suppress(OSError), (folder / "probe").open("w"):
            pytest.fail(f"{folder} could not be made read-only here")
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_output_folder_is_one_line(tmp_path):
    raw = write_raw(tmp_path / "raw", {"feb.csv": LEGACY})
    out = tmp_path / "out"
    out.mkdir()
    build_dir, site_dir = out / "build", out / "site"
    with read_only(out):
        result = run_cli("--raw", str(raw), "--no-site", "--build-dir", str(build_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert error_lines(result)[0].startswith(f"error: {out}/build.tmp: ")
    assert result.stderr.splitlines()[-1] == "build stopped; nothing was written"
    # Unchanged input with build/ in place: only MkDocs runs, into a staging folder beside site/.
    assert run_cli("--raw", str(raw), "--no-site", "--build-dir", str(build_dir), "--quiet").returncode == 0
    with read_only(out):
        result = run_cli("--raw", str(raw), "--build-dir", str(build_dir), "--site-dir", str(site_dir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "data: unchanged input" in result.stderr
    assert error_lines(result) == [error_lines(result)[0]]
    assert error_lines(result)[0].startswith(f"error: {out}/site.tmp: ")
    assert not site_dir.exists()


# ----- 4. command-line mistakes ----------------------------------------------------------------------------------


def test_command_line_mistakes_say_what_happened(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not data")
    cases = {
        "empty": f"error: no CSV files found in {tmp_path / 'empty'}",
        "notes.txt": f"error: no CSV files found in {tmp_path / 'notes.txt'}",
        "nope": f"error: no such file or folder: {tmp_path / 'nope'}",
    }
    for name, line in cases.items():
        result = run_cli("--raw", str(tmp_path / name), "--no-site", "--build-dir", str(tmp_path / "build"))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert result.stderr.splitlines()[-2:] == [line, "build stopped; nothing was written"], name
    assert not (tmp_path / "build").exists()


# ----- 5. the output is swapped in whole, even when the build is killed ------------------------------------------

REPLACE = """import sys
from pathlib import Path
from crimesite import output
exchange = output.no_exchange if sys.argv[3] == "fallback" else output.exchange_paths
output.replace_folder(Path(sys.argv[1]), Path(sys.argv[2]), exchange)
"""


def folder_with(root: Path, name: str, text: str) -> Path:
    (root / name / "docs").mkdir(parents=True)
    (root / name / "docs" / "index.md").write_text(text)
    return root / name


def replace_killed(staging: Path, target: Path, mode: str, point: str) -> int:
    """replace_folder in a process killed (by the test seam) at `point`; its exit code."""
    env = {**os.environ, output.EXIT_AT_ENV: point}
    command = [sys.executable, "-c", REPLACE, str(staging), str(target), mode]
    return subprocess.run(command, env=env, cwd=paths.ROOT, check=False).returncode


def test_the_swap_is_one_step_on_this_file_system(tmp_path):
    first, second = folder_with(tmp_path, "a", "A"), folder_with(tmp_path, "b", "B")
    # renameat2 exists since Linux 3.15 and works on ext4, xfs, btrfs and tmpfs; elsewhere the fallback is used.
    swapped = output.exchange_paths(first, second)
    assert swapped == sys.platform.startswith("linux")
    contents = ((first / "docs" / "index.md").read_text(), (second / "docs" / "index.md").read_text())
    assert contents == (("B", "A") if swapped else ("A", "B"))


def test_a_kill_right_after_the_swap_leaves_the_new_folder_whole(tmp_path):
    target, staging = folder_with(tmp_path, "build", "old"), folder_with(tmp_path, "build.tmp", "new")
    assert replace_killed(staging, target, "exchange", "swapped:build") == output.EXIT_AT_CODE
    assert (target / "docs" / "index.md").read_text() == "new"
    assert (staging / "docs" / "index.md").read_text() == "old"  # not yet removed
    output.clear_leftovers(target)  # what the next build does first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_kill_between_the_fallbacks_two_renames_is_repaired_by_the_next_build(tmp_path):
    target, staging = folder_with(tmp_path, "build", "old"), folder_with(tmp_path, "build.tmp", "new")
    assert replace_killed(staging, target, "fallback", "renamed:build") == output.EXIT_AT_CODE
    assert not target.exists()  # the fallback's window: why the swap is used where the system has it
    output.clear_leftovers(target)
    assert (target / "docs" / "index.md").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_a_build_killed_while_swapping_in_the_site_leaves_both_folders_whole(tmp_path):
    raw = write_raw(tmp_path / "raw", {"feb.csv": LEGACY})
    build_dir, site_dir = tmp_path / "build", tmp_path / "site"
    folders = ("--raw", str(raw), "--build-dir", str(build_dir), "--site-dir", str(site_dir), "--quiet")
    assert run_cli(*folders).returncode == 0
    build_before, site_before = tree_hashes(build_dir), tree_hashes(site_dir)
    write_raw(raw, {"mar.csv": crlf(HEADER_20, with_field(1, "2014-03"))})
    killed = run_cli(*folders, env={output.EXIT_AT_ENV: "swapped:site"})
    assert killed.returncode == output.EXIT_AT_CODE
    # The new site is in place, whole; build/ is the old one, whole (its fingerprint says so: it will be rebuilt).
    assert "2014-03" in (site_dir / "downloads" / "monthly_counts.csv").read_text()
    assert tree_hashes(site_dir).keys() >= {"index.html", "sitemap.xml", "downloads/SHA256SUMS"}
    assert tree_hashes(build_dir) == build_before and tree_hashes(site_dir) != site_before
    assert (tmp_path / "site.tmp").is_dir()  # the old site, not yet removed
    # Killed after swapping in build/ too: both new, the old build folder left over.
    killed = run_cli(*folders, env={output.EXIT_AT_ENV: "swapped:build"})
    assert killed.returncode == output.EXIT_AT_CODE
    assert "2014-03" in (build_dir / "docs" / "downloads" / "monthly_counts.csv").read_text()
    # The next build (unchanged input) removes what the killed ones left and keeps both folders.
    build_after, site_after = tree_hashes(build_dir), tree_hashes(site_dir)
    assert run_cli(*folders).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "raw", "site"]
    assert (tree_hashes(build_dir), tree_hashes(site_dir)) == (build_after, site_after)
