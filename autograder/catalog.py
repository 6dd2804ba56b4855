"""The instructor's checks and what each is worth, read from a pristine copy before any submission runs.

Points come from ``@pytest.mark.points(n)`` next to each check. They are collected once, in a
subprocess where no submission code is present (``pytest --collect-only`` through the grader plugin),
so a submission can never change what a check is worth or add checks of its own.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
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
