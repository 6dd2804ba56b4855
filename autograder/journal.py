"""The resumable gradebook: one JSON line per finished grading, appended and flushed as it arrives, so an
interrupted batch loses nothing and a new run grades only what is missing.

A line counts for a student only while its key matches: the key joins a digest of the checks (the
pristine check files, expected ranges and pytest settings, and the grading options that change a grade)
with the digest of the student's modules (``autograder.packing``). New checks or a re-submission
therefore get graded again; the batch grades again a student whose latest line has status ``error``.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path

from autograder import catalog as catalog_module
from autograder import isolation

JOURNAL_NAME = "grades.jsonl"


def checks_digest(instructor_root: Path) -> str:
    """SHA-256 of the check files a grader copies (``isolation.CHECK_PARTS``) and the pytest settings."""
    combined = hashlib.sha256()
    for name, checksum in isolation.tree_digest(Path(instructor_root) / "tests", isolation.CHECK_PARTS).items():
        combined.update(f"{name}\0{checksum}\n".encode())
    combined.update(catalog_module.ini_text(Path(instructor_root)).encode())
    return combined.hexdigest()


def batch_key(checks: str, exercises: list[str], limits: isolation.Limits) -> str:
    """What every grading of this batch shares: the checks, the exercises graded and the limits."""
    text = json.dumps({"checks": checks, "exercises": exercises, "limits": asdict(limits)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def grading_key(batch: str, submission: str) -> str:
    return hashlib.sha256(f"{batch}\0{submission}".encode()).hexdigest()


class Journal:
    """Append-only JSON lines of ``{"student", "key", "row", "worker", "seconds"}``."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def entries(self) -> list[dict]:
        """Every complete line (a line cut short by an interruption is skipped)."""
        if not self.path.is_file():
            return []
        entries = []
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and {"student", "key", "row"} <= set(entry):
                    entries.append(entry)
        return entries

    def latest(self, keys: dict[str, str]) -> dict[str, dict]:
        """Each student's latest entry whose key is ``keys[student]``, in the order of ``keys``."""
        found = {entry["student"]: entry for entry in self.entries() if keys.get(entry["student"]) == entry["key"]}
        return {student: found[student] for student in keys if student in found}

    def append(self, entry: dict) -> None:
        """Write one line and push it to the disk before returning."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
