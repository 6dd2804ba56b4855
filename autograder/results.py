"""What grading a submission produced: per check, per exercise, in total (plain data, JSON-ready)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

REPORT_SCHEMA_VERSION = 1

# Exercise statuses
GRADED = "graded"      # the checks ran; points as earned
VOIDED = "voided"      # the submission misbehaved (tampering, timeout, memory, output, crash): 0 points
MISSING = "missing"    # no module for this exercise in the submission
INVALID = "invalid"    # the module does not parse
ERROR = "error"        # the grader could not grade this exercise (an instructor-side problem)


@dataclass
class CheckResult:
    """One check (a pytest test) of one exercise."""

    nodeid: str
    name: str
    max_points: float
    points: float = 0.0
    outcome: str = "not run"  # passed, failed, error, skipped, not run
    message: str = ""
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"


@dataclass
class ExerciseResult:
    """All checks of one exercise, its points and why points were withheld."""

    name: str
    status: str
    max_points: float
    points: float = 0.0
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    duration: float = 0.0
    log_tail: str = ""


@dataclass
class GradeReport:
    """The grade of one submission."""

    submission: str
    exercises: list[ExerciseResult]
    graded_at: str
    grader: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    schema: int = REPORT_SCHEMA_VERSION

    @property
    def points(self) -> float:
        """Total earned, never more than the declared maximum."""
        return min(sum(exercise.points for exercise in self.exercises), self.max_points)

    @property
    def max_points(self) -> float:
        return sum(exercise.max_points for exercise in self.exercises)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["points"] = self.points
        data["max_points"] = self.max_points
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "GradeReport":
        exercises = [ExerciseResult(**{**exercise, "checks": [CheckResult(**check) for check in exercise["checks"]]})
                     for exercise in data["exercises"]]
        fields = {key: data[key] for key in ("submission", "graded_at", "grader", "warnings", "ignored_files",
                                               "schema") if key in data}
        return cls(exercises=exercises, **fields)


def format_points(value: float) -> str:
    """``3`` for whole numbers, ``2.5`` otherwise."""
    return f"{value:g}"
