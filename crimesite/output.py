"""Writers: the generated docs folder and the static site, each replaced whole or not at all."""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import yaml

from crimesite import paths

log = logging.getLogger(__name__)

GENERATED_CONFIG = "mkdocs.generated.yml"
FINGERPRINT = ".fingerprint"
LAST_MONTH = ".last-month"  # the data's last month: the site's date when the docs are kept as they are
SITE_FINGERPRINT = ".site-fingerprint"
VENDOR_BUNDLE = "assets/vendor/vega-bundle.js"
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


# Replacing a folder. On Linux, renameat2(RENAME_EXCHANGE) swaps the new folder and the old one in one step: the
# target is a complete folder, old or new, at every moment, whenever the process is killed; the old one, now under
# the staging name, is removed after. Where the call is missing (other systems, old kernels, file systems without
# it) the old folder is renamed aside (NAME.old) and the new one put in its place: a kill between those two renames
# leaves the target missing for a moment, and the next build starts by putting NAME.old back (clear_leftovers).
AT_FDCWD = -100
RENAME_EXCHANGE = 2
NOT_SUPPORTED = (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV)
# Test seam (tests/test_hostile_files.py): when this variable names a point passed by exit_at, the process ends
# there at once, as if killed. Nothing else reads it.
EXIT_AT_ENV = "CRIMESITE_TEST_EXIT_AT"
EXIT_AT_CODE = 86


def exit_at(point: str) -> None:
    """End the process at once (no clean-up, as a kill would) when the test seam's variable names `point`."""
    if os.environ.get(EXIT_AT_ENV) == point:
        os._exit(EXIT_AT_CODE)


@lru_cache(maxsize=1)
def _renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # a C library older than glibc 2.28
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange_paths(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False when the system or file system cannot."""
    rename = _renameat2()
    if rename is None:
        return False
    if rename(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in NOT_SUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(second))


def no_exchange(first: Path, second: Path) -> bool:
    """An `exchange` for replace_folder that never swaps: the two-rename fallback."""
    return False


def replace_folder(staging: Path, target: Path, exchange: Callable[[Path, Path], bool] = exchange_paths) -> None:
    """Put `staging` where `target` is, so that `target` is never half-written, and never missing where the
    system can swap two folders in one step (see above)."""
    if not target.exists():
        staging.rename(target)
        return
    if exchange(staging, target):
        exit_at(f"swapped:{target.name}")
        shutil.rmtree(staging)  # the old folder, now under the staging name
        return
    old = leftover_old(target)
    if old.exists():
        shutil.rmtree(old)
    target.rename(old)
    exit_at(f"renamed:{target.name}")
    staging.rename(target)
    shutil.rmtree(old)


def leftover_old(target: Path) -> Path:
    return target.with_name(target.name + ".old")


def staging_for(target: Path) -> Path:
    return target.with_name(target.name + ".tmp")


def clear_leftovers(target: Path) -> None:
    """Tidy what a killed build left beside `target`: its old folder put back when the kill came between the
    fallback's two renames, and a staging folder (a half-made new one, or the old one after a swap) removed."""
    old = leftover_old(target)
    if old.is_dir() and not target.exists():
        log.warning("%s was missing (a build was stopped while replacing it): the previous one is put back", target)
        old.rename(target)
    for leftover in (old, staging_for(target)):
        if leftover.exists():
            shutil.rmtree(leftover)


def fresh_staging(target: Path) -> Path:
    staging = staging_for(target)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    return staging


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def write_bytes(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def vega_bundle(folder: Path | None, made: Future[str] | None = None) -> str:
    """Vega, Vega-Lite and vega-embed in one file, kept in `folder` by vl-convert's version (None: nothing is
    written; the bundle is made once per process). `made`: the bundle being made elsewhere (the build has the SVG
    pool make it while the files are read: see bundle_missing), taken when neither has it."""
    import vl_convert

    if folder is None:
        return made_bundle(vl_convert.__version__, made)
    kept = kept_bundle(folder)
    if not kept.exists():
        kept.parent.mkdir(parents=True, exist_ok=True)
        tmp = kept.with_suffix(".tmp")
        tmp.write_text(made_bundle(vl_convert.__version__, made), encoding="utf-8")
        tmp.replace(kept)
    return kept.read_text(encoding="utf-8")


def kept_bundle(folder: Path) -> Path:
    import vl_convert

    return folder / f"vega-bundle-{vl_convert.__version__}.js"


def bundle_missing(folder: Path | None) -> bool:
    """Whether vega_bundle(folder) would have to make the bundle: several seconds of work, worth starting early."""
    import vl_convert

    if vl_convert.__version__ in _MADE_BUNDLES:
        return False
    return folder is None or not kept_bundle(folder).exists()


_MADE_BUNDLES: dict[str, str] = {}  # vl-convert's version -> its bundle, made by this process


def made_bundle(version: str, made: Future[str] | None = None) -> str:
    """vl-convert's bundle (`version`: its version, so that the memo is per version), from `made` when given."""
    if version not in _MADE_BUNDLES:
        _MADE_BUNDLES[version] = made.result() if made is not None else javascript_bundle()
    return _MADE_BUNDLES[version]


def javascript_bundle() -> str:
    """vl-convert's bundle, made anew (a function of this module, so that a pool worker can be given it)."""
    import vl_convert

    return vl_convert.javascript_bundle()


def stage_docs(
    build_dir: Path,
    pages: dict[str, str],
    files: dict[str, bytes],
    generated_config: dict,
    stamps: dict[str, str],
    bundle: str,
) -> Path:
    """Write the MkDocs input (hand-written docs + generated pages + published files + the Vega `bundle`) into a
    staging folder beside `build_dir` and return it, with `stamps` (file name -> value, e.g. FINGERPRINT) beside
    the docs; `build_dir` itself is not touched."""
    staging = fresh_staging(build_dir)
    with removed_on_error(staging):
        docs = staging / "docs"
        shutil.copytree(paths.HANDWRITTEN_DOCS, docs)
        for relative, text in sorted(pages.items()):
            write_text(docs / relative, text)
        for relative, content in sorted(files.items()):
            write_bytes(docs / relative, content)
        write_text(docs / VENDOR_BUNDLE, bundle)
        write_text(staging / GENERATED_CONFIG, yaml.safe_dump(generated_config, sort_keys=False, allow_unicode=True))
        for name, value in sorted(stamps.items()):
            write_text(staging / name, value + "\n")
    return staging


@contextmanager
def removed_on_error(staging: Path) -> Iterator[None]:
    """Remove the staging folder when anything fails (or is interrupted) while it is used: a half-made
    folder is of no use, and the folder it was meant to replace stays as it was."""
    try:
        yield
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def read_stamp(path: Path) -> str | None:
    return path.read_text(encoding="utf-8").strip() if path.exists() else None


def write_mkdocs_config(build_dir: Path, folder: Path) -> Path:
    """The repository's mkdocs.yml pointed at `build_dir`, written into `folder` (not into the build folder,
    which may be a staging folder about to be renamed)."""
    config = yaml.safe_load(paths.MKDOCS_CONFIG.read_text(encoding="utf-8"))
    config["INHERIT"] = str((build_dir / GENERATED_CONFIG).resolve())
    config["docs_dir"] = str((build_dir / "docs").resolve())
    config["theme"]["custom_dir"] = str((paths.ROOT / config["theme"]["custom_dir"]).resolve())
    derived = folder / "mkdocs.yml"
    write_text(derived, yaml.safe_dump(config, sort_keys=False))
    return derived


def build_site(build_dir: Path, site_dir: Path, source_date_epoch: int) -> None:
    """Run `mkdocs build --strict` on `build_dir` into a staging folder and swap it in only when it succeeds."""
    fingerprint = read_stamp(build_dir / FINGERPRINT)
    if site_dir.exists() and fingerprint and read_stamp(build_dir / SITE_FINGERPRINT) == fingerprint:
        log.info("site: unchanged input, %s kept as it is", site_dir)
        return
    # Made here, not by MkDocs: a folder that cannot be written is then one line, not MkDocs' traceback.
    staging = fresh_staging(site_dir)
    env = {**os.environ, **MKDOCS_ENV, "SOURCE_DATE_EPOCH": str(source_date_epoch)}
    with removed_on_error(staging), tempfile.TemporaryDirectory(prefix="crimesite-mkdocs-") as folder:
        config = write_mkdocs_config(build_dir, Path(folder))
        command = [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--quiet",
            "-f",
            str(config),
            "-d",
            str(staging.resolve()),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise RuntimeError(f"mkdocs build failed; {site_dir} was left as it was:\n{output}")
    replace_folder(staging, site_dir)
    if fingerprint:
        write_text(build_dir / SITE_FINGERPRINT, fingerprint + "\n")
