"""Writers: the generated docs folder and the static site, each replaced whole or not at all."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from crimesite import paths

log = logging.getLogger(__name__)

GENERATED_CONFIG = "mkdocs.generated.yml"
FINGERPRINT = ".fingerprint"
SITE_FINGERPRINT = ".site-fingerprint"
VENDOR_BUNDLE = "assets/vendor/vega-bundle.js"
MKDOCS_ENV = {"NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}


def replace_folder(staging: Path, target: Path) -> None:
    """Put `staging` where `target` is, so that `target` is never half-written."""
    old = target.with_name(target.name + ".old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    if old.exists():
        shutil.rmtree(old)


def fresh_staging(target: Path) -> Path:
    staging = target.with_name(target.name + ".tmp")
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


def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed in one file, cached by vl-convert's version."""
    import vl_convert

    cache = paths.CACHE_DIR / f"vega-bundle-{vl_convert.__version__}.js"
    if not cache.exists():
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(vl_convert.javascript_bundle(), encoding="utf-8")
        tmp.replace(cache)
    return cache.read_text(encoding="utf-8")


def stage_docs(
    build_dir: Path,
    pages: dict[str, str],
    files: dict[str, bytes],
    generated_config: dict,
    fingerprint: str,
) -> Path:
    """Write the MkDocs input (hand-written docs + generated pages + published files) into a staging folder
    beside `build_dir` and return it; `build_dir` itself is not touched."""
    staging = fresh_staging(build_dir)
    with removed_on_error(staging):
        docs = staging / "docs"
        shutil.copytree(paths.HANDWRITTEN_DOCS, docs)
        for relative, text in sorted(pages.items()):
            write_text(docs / relative, text)
        for relative, content in sorted(files.items()):
            write_bytes(docs / relative, content)
        write_text(docs / VENDOR_BUNDLE, vega_bundle())
        write_text(staging / GENERATED_CONFIG, yaml.safe_dump(generated_config, sort_keys=False, allow_unicode=True))
        write_text(staging / FINGERPRINT, fingerprint + "\n")
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
    staging = site_dir.with_name(site_dir.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    env = {**os.environ, **MKDOCS_ENV, "SOURCE_DATE_EPOCH": str(source_date_epoch)}
    with removed_on_error(staging), tempfile.TemporaryDirectory(prefix="crimesite-mkdocs-") as folder:
        config = write_mkdocs_config(build_dir, Path(folder))
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-f", str(config),
                   "-d", str(staging.resolve())]  # fmt: skip
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            output = result.stderr.strip() or result.stdout.strip()
            raise RuntimeError(f"mkdocs build failed; {site_dir} was left as it was:\n{output}")
    replace_folder(staging, site_dir)
    if fingerprint:
        write_text(build_dir / SITE_FINGERPRINT, fingerprint + "\n")


def hash_tree(digest: hashlib._Hash, root: Path, pattern: str = "**/*") -> None:
    for path in sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(paths.ROOT).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
