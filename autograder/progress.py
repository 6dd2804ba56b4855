"""Progress lines on stderr while grading runs (exercise started, each check, exercise finished), and a
batch's progress bar with its estimated time to finish."""
from __future__ import annotations

import sys
import threading
import time

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


class ClassProgress:
    """A batch's progress bar: submissions done, failed and remaining, and the estimated time to finish
    (from the pace of this run so far), one line per finished submission."""

    WIDTH = 20

    def __init__(self, progress: Progress, total: int, already: int = 0):
        self.progress, self.total, self.done, self.failed = progress, total, already, 0
        self.already = already
        self.started = time.monotonic()

    def update(self, student: str, row: dict) -> None:
        self.done += 1
        self.failed += row["status"] == "error"
        remaining = self.total - self.done
        graded_now = self.done - self.already
        eta = (time.monotonic() - self.started) / graded_now * remaining
        filled = round(self.WIDTH * self.done / max(1, self.total))
        self.progress.say(f"[batch] [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} done, "
                          f"{self.failed} failed, {remaining} remaining, ~{format_duration(eta)} left | "
                          f"{student}: {format_points(row['points'])}/{format_points(row['max_points'])} "
                          f"({row['status']})")


def format_duration(seconds: float) -> str:
    """``42 s``, ``12 min``, ``3.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
