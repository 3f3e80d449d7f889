"""A content-addressed cache under .cache/: results that depend only on their inputs' bytes and the code.

Each entry's key is a SHA-256 of everything that can change it (a raw file's name and content hash, the read
settings, the code's own fingerprint), so an entry is never stale: a changed input is a new key. Adding a month
therefore reads only the new file; every other file comes back from here. Entries are written to a temporary
name and renamed, so a build killed half way leaves no half-written entry. Nothing here is published.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
from pyarrow import feather

from crimesite import paths

# Libraries whose upgrade can change a cached result (parsing, Arrow files, chart rendering).
RESULT_LIBRARIES = ("pandas", "pyarrow", "numpy", "vl-convert-python", "altair")
# ... and whose upgrade can change anything the build writes, the site included: the build's input fingerprint
# covers them and the data package names them. A superset, so that a cached result is never newer than the output.
OUTPUT_LIBRARIES = (*RESULT_LIBRARIES, "mkdocs", "mkdocs-material", "pyproj", "jinja2")


def library_versions(libraries: tuple[str, ...]) -> dict[str, str]:
    return {library: importlib.metadata.version(library) for library in libraries}


def add_code(digest: hashlib._Hash, trees: tuple[tuple[Path, str], ...], libraries: tuple[str, ...]) -> None:
    """Add to `digest` the files of each (folder, glob pattern) and the versions of the libraries: the one
    fingerprint of code, for the cache's entries and for the build's whole input."""
    for root, pattern in trees:
        add_tree(digest, root, pattern)
    for library, version in library_versions(libraries).items():
        digest.update(f"{library}={version}\n".encode())


def add_tree(digest: hashlib._Hash, root: Path, pattern: str = "**/*") -> None:
    for path in sorted(p for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts):
        digest.update(path.relative_to(paths.ROOT).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def code_fingerprint() -> str:
    """Changes whenever the package's code or a library that shapes its results changes."""
    digest = hashlib.sha256()
    add_code(digest, ((paths.PACKAGE, "**/*.py"),), RESULT_LIBRARIES)
    return digest.hexdigest()


@dataclass(frozen=True)
class Cache:
    """Entries under `folder` (None: caching is off, every lookup misses)."""

    folder: Path | None
    salt: str

    @classmethod
    def at(cls, folder: Path | None) -> Cache:
        """The cache for this code under `folder`/content/; nothing is removed (see prune)."""
        if folder is None:
            return cls(None, "")
        salt = code_fingerprint()
        return cls(folder / "content" / salt[:16], salt)

    def prune(self) -> list[Path]:
        """Remove the entries made by other versions of the code (they can never be used again, so the cache holds
        one copy of the data at most) and return their folders. The build calls this once it has succeeded."""
        if self.folder is None or not self.folder.parent.is_dir():
            return []
        stale = sorted(other for other in self.folder.parent.iterdir() if other.is_dir() and other != self.folder)
        for other in stale:
            shutil.rmtree(other, ignore_errors=True)
        return stale

    def key(self, *parts: str) -> str:
        return hashlib.sha256("\0".join((self.salt, *parts)).encode()).hexdigest()

    def _path(self, kind: str, key: str, suffix: str) -> Path | None:
        return None if self.folder is None else self.folder / kind / f"{key}{suffix}"

    def read_table(self, kind: str, key: str) -> tuple[pa.Table, dict] | None:
        """A cached Arrow table with its JSON metadata, or None."""
        table, meta = self._path(kind, key, ".arrow"), self._path(kind, key, ".json")
        if table is None or meta is None or not (table.exists() and meta.exists()):
            return None
        try:
            # Uncompressed, and read whole rather than memory-mapped, so that the rows never depend on the file
            # staying as it is; reading 144 files' rows back takes a fraction of parsing them.
            return feather.read_table(table, memory_map=False), json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, pa.ArrowException, ValueError):
            return None  # a damaged entry is a miss: the file is read again and the entry rewritten

    def write_table(self, kind: str, key: str, table: pa.Table, meta: dict) -> None:
        path = self._path(kind, key, ".arrow")
        if path is None:
            return
        _atomic(path, lambda tmp: feather.write_feather(table, tmp, compression="uncompressed"))
        _atomic(path.with_suffix(".json"), lambda tmp: tmp.write_text(json.dumps(meta, sort_keys=True), "utf-8"))

    def read_text(self, kind: str, key: str, suffix: str) -> str | None:
        path = self._path(kind, key, suffix)
        return path.read_text(encoding="utf-8") if path is not None and path.exists() else None

    def write_text(self, kind: str, key: str, suffix: str, text: str) -> None:
        path = self._path(kind, key, suffix)
        if path is not None:
            _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    write(tmp)
    tmp.replace(path)
