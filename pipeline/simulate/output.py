"""The output folder: refuse someone else's files, replace a previous simulation, record what was written."""

from __future__ import annotations

import fnmatch
import json
import logging
from pathlib import Path
from typing import Any

from pipeline.simulate.settings import OutputFolderError

log = logging.getLogger(__name__)

MANIFEST = "truth/manifest.json"
GENERATOR = "forewarn simulate"
# Everything a simulation may write; an overwrite removes exactly these and nothing else.
OWNED_PATTERNS = (
    "customers.csv", "tickets.csv", "tickets-*.csv", "events.csv", "events-*.csv", "workarounds/*.md", "truth/*",
    "product_profile.yaml",
)


def prepare_folder(out_dir: Path) -> None:
    """Make ``out_dir`` ready: create it, or clear a previous simulation's files from it.

    Raises:
        OutputFolderError: it is a file, or a non-empty folder that is not a previous simulation output,
            or it holds files a simulation did not write.
    """
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputFolderError(f"output path {out_dir} is a file, not a folder; choose a folder path for --out")
    if not out_dir.exists():
        out_dir.mkdir(parents=True)
        return
    entries = sorted(p for p in out_dir.rglob("*"))
    if not entries:
        return
    if not _is_previous_output(out_dir):
        raise OutputFolderError(
            f"output folder {out_dir} is not empty and is not a previous 'forewarn simulate' output "
            f"(no {MANIFEST}); choose an empty or new folder for --out"
        )
    files = [p for p in entries if p.is_file() or p.is_symlink()]
    foreign = [p.relative_to(out_dir).as_posix() for p in files if not _owned(p.relative_to(out_dir).as_posix())]
    if foreign:
        raise OutputFolderError(
            f"output folder {out_dir} holds a previous simulation plus files it did not write "
            f"({', '.join(foreign[:3])}{', ...' if len(foreign) > 3 else ''}); move them away or choose another --out"
        )
    for path in files:
        path.unlink()
    for folder in sorted((p for p in entries if p.is_dir() and not p.is_symlink()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    log.info("replaced the previous simulation in %s (%s files)", out_dir, len(files))


def _owned(relative: str) -> bool:
    return any(fnmatch.fnmatchcase(relative, pattern) and relative.count("/") == pattern.count("/")
               for pattern in OWNED_PATTERNS)


def _is_previous_output(out_dir: Path) -> bool:
    path = out_dir / MANIFEST
    if not path.is_file():
        return False
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        return False


def write_json(path: Path, value: Any) -> None:
    """Pretty, key-ordered-as-built JSON with a final newline (stable bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_manifest(out_dir: Path, settings: dict[str, Any], files: dict[str, int | None], complete: bool) -> None:
    """Record the generator, its settings and the files written (so a rerun may replace them)."""
    write_json(out_dir / MANIFEST, {"generator": GENERATOR, "complete": complete, "settings": settings, "files": files})
