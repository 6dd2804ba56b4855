"""A submission as data: its exercise modules' bytes (never a path), so that it can be graded on another
machine, and a digest of exactly what is graded, so that a batch can tell a re-submission from work done.

``pack`` reads what the grader would read (``grade.locate_exercises``): the ``.py`` files of the
submission's ``exercises/`` folder. ``unpack`` lays them out again in a scratch folder where the grader
sees the same thing: the same bytes, symbolic links and non-files as stand-ins that fail the same way,
and the names (never the contents) of the files grading deliberately ignores.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.grade import IGNORED_SUBMISSION_FILES, MODULE_SIZE_LIMIT, locate_exercises


@dataclass(frozen=True)
class Packed:
    """One submission's modules. ``problem`` says why it has none (empty, not a folder, no exercises/);
    ``files`` maps a module's name to its bytes (cut after the size limit: a longer one is refused anyway)."""

    label: str
    problem: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    others: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        """SHA-256 of what grading uses (not of ``label``: moving the folder is not a re-submission)."""
        problem = (self.problem or "").replace(self.label, "<submission>")
        combined = hashlib.sha256(f"problem\0{problem}\n".encode())
        for name in sorted(self.files):
            combined.update(f"file\0{name}\0{hashlib.sha256(self.files[name]).hexdigest()}\n".encode())
        for kind, names in (("link", self.links), ("other", self.others), ("ignored", self.ignored)):
            for name in sorted(names):
                combined.update(f"{kind}\0{name}\n".encode())
        return combined.hexdigest()


def pack(entry: Path) -> Packed:
    """Read the submission ``entry`` (a student's folder) into a ``Packed``."""
    entry = Path(entry)
    folder, problem = locate_exercises(entry)
    if folder is None:
        return Packed(str(entry), problem=problem)
    files, links, others = {}, [], []
    for path in sorted(folder.glob("*.py")):
        if path.is_symlink():
            links.append(path.name)
        elif path.is_file():
            with open(path, "rb") as handle:
                files[path.name] = handle.read(MODULE_SIZE_LIMIT + 1)
        else:
            others.append(path.name)
    ignored = tuple(name for name in IGNORED_SUBMISSION_FILES if (entry / name).exists())
    return Packed(str(entry), None, files, tuple(links), tuple(others), ignored)


def unpack(packed: Packed, scratch: Path) -> Path:
    """Lay ``packed`` out under the empty folder ``scratch``; return the submission folder to grade."""
    submission = Path(scratch) / "submission"
    submission.mkdir(parents=True)
    if packed.problem is not None:
        return submission  # graded as empty; the caller puts back the real reason
    exercises = submission / "exercises"
    exercises.mkdir()
    for name, content in packed.files.items():
        (exercises / name).write_bytes(content)
    for name in packed.links:
        os.symlink("not-sent", exercises / name)
    for name in packed.others:
        (exercises / name).mkdir()
    for name in packed.ignored:
        (submission / name).touch()
    return submission
