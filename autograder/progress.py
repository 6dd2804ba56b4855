"""Progress lines on stderr while grading runs (exercise started, each check, exercise finished)."""
from __future__ import annotations

import sys
import threading

from autograder.results import ExerciseResult, GradeReport, format_points

QUIET, EXERCISES, CHECKS = 0, 1, 2


class Progress:
    """Thread-safe progress printer; ``level`` is QUIET, EXERCISES or CHECKS."""

    def __init__(self, level: int = CHECKS, stream=None):
        self.level = level
        self.stream = stream or sys.stderr
        self._lock = threading.Lock()

    def say(self, text: str, level: int = EXERCISES) -> None:
        if self.level >= level:
            with self._lock:
                print(text, file=self.stream, flush=True)

    def started(self, who: str, exercise: str) -> None:
        self.say(f"[{who}] {exercise}: started", CHECKS)

    def check(self, who: str, exercise: str, name: str, outcome: str, points: float) -> None:
        label = "PASS" if outcome == "passed" else outcome.upper()
        self.say(f"[{who}] {exercise}:   {label:7} {name} ({format_points(points)} pt)", CHECKS)

    def finished(self, who: str, result: ExerciseResult) -> None:
        reason = f" - {result.reasons[0]}" if result.reasons else ""
        self.say(f"[{who}] {result.name}: {result.status}, {format_points(result.points)}/"
                 f"{format_points(result.max_points)} points in {result.duration:.0f} s{reason}", CHECKS)

    def total(self, who: str, report: GradeReport) -> None:
        self.say(f"[{who}] total {format_points(report.points)}/{format_points(report.max_points)} points")
