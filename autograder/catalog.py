"""The instructor's checks and what each is worth, read from a pristine copy before any submission runs.

Points come from ``@pytest.mark.points(n)`` next to each check. They are collected once, in a
subprocess where no submission code is present (``pytest --collect-only`` through the grader plugin),
so a submission can never change what a check is worth or add checks of its own. A clean collection
is cached under the user's cache folder, keyed by the checks' content and the Python and pytest
versions, so the next run of the same checks starts grading at once (grading children cannot write there).
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import tomllib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from autograder import isolation

TEST_FILE = re.compile(r"^test_(ex\d+_\w+)\.py$")
POINTS_MARKER = "points(n): points a grading check is worth"
COLLECT_LIMITS = isolation.Limits(timeout=600, memory_mb=4096)


class CatalogError(RuntimeError):
    """The instructor's checks cannot be found or collected."""


@dataclass(frozen=True)
class Check:
    nodeid: str
    name: str
    points: float


@dataclass
class Catalog:
    """Exercises in order, their checks and points; collection errors per exercise."""

    instructor_root: Path
    ini_text: str
    exercises: dict[str, list[Check]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def max_points(self, exercise: str) -> float:
        return sum(check.points for check in self.exercises.get(exercise, []))

    def test_file(self, exercise: str) -> Path:
        """Path of the exercise's check file relative to the instructor's ``tests/``."""
        return Path("exercises") / f"test_{exercise}.py"


def find_instructor_root(explicit: str | Path | None = None) -> Path:
    """The tree holding the pristine ``tests/exercises``: ``explicit``, else the one this package is in."""
    root = Path(explicit).resolve() if explicit else Path(__file__).resolve().parents[1]
    if not (root / "tests" / "exercises").is_dir():
        raise CatalogError(f"{root} has no tests/exercises/ folder: pass --instructor-root")
    return root


def exercise_names(instructor_root: Path) -> list[str]:
    """``ex01_least_squares``, ... from the check files ``tests/exercises/test_exNN_name.py``."""
    names = [match.group(1) for path in sorted((instructor_root / "tests" / "exercises").iterdir())
             if (match := TEST_FILE.match(path.name))]
    if not names:
        raise CatalogError(f"no check files tests/exercises/test_exNN_name.py under {instructor_root}")
    return names


def ini_text(instructor_root: Path) -> str:
    """A pytest.ini with the instructor's markers and warning filters only (no addopts, no plugins)."""
    options = {}
    pyproject = instructor_root / "pyproject.toml"
    if pyproject.is_file():
        options = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get(
            "pytest", {}).get("ini_options", {})
    markers = [str(marker) for marker in options.get("markers", [])]
    if not any(marker.startswith("points") for marker in markers):
        markers.append(POINTS_MARKER)
    lines = ["[pytest]", "markers ="] + [f"    {marker}" for marker in markers]
    filters = options.get("filterwarnings", [])
    if filters:
        lines += ["filterwarnings ="] + [f"    {entry}" for entry in filters]
    return "\n".join(lines) + "\n"


def exercise_of(nodeid: str) -> str | None:
    """The exercise a check belongs to, from its file name."""
    match = TEST_FILE.match(Path(nodeid.split("::")[0]).name)
    return match.group(1) if match else None


def collect(instructor_root: Path, checks: Path, workdir: Path, jax_cache: Path) -> Catalog:
    """Collect every check and its points from the pristine ``checks`` copy, with no submission present."""
    names = exercise_names(instructor_root)
    catalog = Catalog(instructor_root, ini_text(instructor_root), {name: [] for name in names})
    folders = isolation.prepare(workdir, checks, catalog.ini_text, modules={})
    outcome = isolation.run(folders, folders.tests / "exercises", instructor_root, COLLECT_LIMITS, jax_cache,
                            collect=True)
    for event in outcome.events:
        exercise = exercise_of(str(event.get("nodeid", "")))
        if exercise not in catalog.exercises:
            continue
        if event["event"] == "collected":
            points = event.get("points")
            points = float(points) if isinstance(points, (int, float)) and points >= 0 else 0.0
            catalog.exercises[exercise].append(Check(str(event["nodeid"]), str(event.get("name", "")), points))
        elif event["event"] == "collect_error":
            catalog.errors[exercise] = str(event.get("message", ""))[-2000:]
    if not any(event["event"] == "finish" for event in outcome.events):
        raise CatalogError("collecting the instructor's checks failed:\n" + outcome.stderr_tail
                           + outcome.stdout_tail)
    for name, checks_of in catalog.exercises.items():
        if not checks_of and name not in catalog.errors:
            catalog.errors[name] = "no checks were collected for this exercise"
    return catalog


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/course-autograder`` (``~/.cache/course-autograder``): outside every grading sandbox."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-autograder"


def cache_path(cache_dir: Path, checks: Path, ini: str) -> Path:
    """The cache file for these checks: its name is a digest of every check file, the ini and the versions."""
    key = (f"{isolation.tree_sha256(checks)}\0{ini}\0python {platform.python_version()}\0"
           f"pytest {metadata.version('pytest')}")
    return Path(cache_dir) / f"catalog-{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"


def save(catalog: Catalog, path: Path) -> None:
    """Write a catalog that collected without errors (atomically, so a reader never sees half a file)."""
    if catalog.errors:
        return
    table = {name: [[check.nodeid, check.name, check.points] for check in checks]
             for name, checks in catalog.exercises.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps({"exercises": table}), encoding="utf-8")
    partial.replace(path)


def load_cached(path: Path, instructor_root: Path, ini: str) -> Catalog | None:
    """The catalog saved at ``path`` for the same exercises, or None when absent or unreadable."""
    try:
        table = json.loads(path.read_text(encoding="utf-8"))["exercises"]
        exercises = {exercise: [Check(str(nodeid), str(name), float(points)) for nodeid, name, points in rows]
                     for exercise, rows in table.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # absent, damaged or another layout
        return None
    if list(exercises) != exercise_names(instructor_root) or not all(exercises.values()):
        return None
    return Catalog(instructor_root, ini, exercises)
