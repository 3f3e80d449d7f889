"""Where things live in the repository. Every other module takes paths from here."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "crimesite"
TEMPLATES = PACKAGE / "templates"
SITE_CONFIG = ROOT / "site.yml"
MKDOCS_CONFIG = ROOT / "mkdocs.yml"
RAW_DIR = ROOT / "data" / "raw"
REFERENCE_DIR = ROOT / "data" / "reference"
SAMPLE_MANIFEST = ROOT / "scripts" / "sample.sha256"  # checksums of the files scripts/make_sample.py writes
HANDWRITTEN_DOCS = ROOT / "docs"
BUILD_DIR = ROOT / "build"
SITE_DIR = ROOT / "site"
CACHE_DIR = ROOT / ".cache"
