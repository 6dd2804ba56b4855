"""SHA-256 manifest of the files that decide a grade, written at release and checked when grading.

A student can edit anything in their own repository, so the score their CI shows is advisory; the
manifest makes edits to the checks, expected ranges, grader, data or workflow visible in that score.
The file uses ``sha256sum`` format, so ``sha256sum --check CHECKSUMS.sha256`` also works.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

MANIFEST_NAME = "CHECKSUMS.sha256"
COVERED = ("tests", "autograder", "coursekit", "data", "pyproject.toml", "requirements.txt", "Makefile",
           ".github/workflows/classroom.yml")
SKIPPED_PARTS = {"__pycache__", ".pytest_cache"}


def covered_files(root: Path) -> list[str]:
    """Relative paths (POSIX) of every covered file under ``root``."""
    found = []
    for entry in COVERED:
        path = root / entry
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        for candidate in candidates:
            relative = candidate.relative_to(root)
            if candidate.is_file() and not SKIPPED_PARTS & set(relative.parts) and candidate.suffix != ".pyc":
                found.append(relative.as_posix())
    return found


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(root: Path) -> Path:
    """Write ``root/CHECKSUMS.sha256`` for the covered files; return its path."""
    target = root / MANIFEST_NAME
    lines = [f"{digest(root / name)}  {name}" for name in covered_files(root)]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def read(root: Path) -> dict[str, str]:
    entries = {}
    for line in (root / MANIFEST_NAME).read_text(encoding="utf-8").splitlines():
        if line.strip():
            checksum, _, name = line.partition("  ")
            entries[name.strip()] = checksum.strip()
    return entries


def verify(root: Path) -> list[str]:
    """Problems found (``changed: tests/...``, ``missing: ...``, ``added: ...``); empty when intact.

    Without a manifest (the instructor's own repository) there is nothing to verify.
    """
    if not (root / MANIFEST_NAME).is_file():
        return []
    expected = read(root)
    present = set(covered_files(root))
    problems = [f"missing: {name}" for name in sorted(expected) if name not in present]
    problems += [f"changed: {name}" for name in sorted(expected)
                 if name in present and digest(root / name) != expected[name]]
    problems += [f"added: {name}" for name in sorted(present - set(expected))]
    return problems
