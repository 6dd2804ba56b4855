"""Progress lines on stderr while grading runs (exercise started, each check, exercise finished), and a
batch's progress with its estimated time to finish: a tqdm bar on a terminal, plain lines elsewhere."""
from __future__ import annotations

import sys
import threading
import time

from tqdm import tqdm

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
    """A batch's progress: submissions done, failed and remaining, and the estimated time to finish (from the
    pace of this run so far), and a line per finished submission.

    On a terminal the counts are a tqdm bar at the bottom, each submission's line printed above it; elsewhere
    (a CI log, a file) a bar would be a mess of carriage returns, so each finished submission gets one plain
    line with the counts. Use it as a context manager: leaving it closes the bar, so the lines printed after
    it do not land on the bar."""

    WIDTH = 20
    BAR_FORMAT = "[batch] {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} done{postfix}, ~{remaining} left [{elapsed}]"

    def __init__(self, progress: Progress, total: int, already: int = 0):
        self.progress, self.total, self.done, self.failed = progress, total, already, 0
        self.already = already
        self.started = time.monotonic()
        self.bar = self.terminal_bar()

    def terminal_bar(self) -> tqdm | None:
        """The tqdm bar when the batch's lines are shown and go to a terminal, else None."""
        if self.progress.level < EXERCISES or not is_terminal(self.progress.stream):
            return None
        # smoothing=0: the estimate is the average pace of this run, as on the plain lines.
        return tqdm(total=self.total, initial=self.already, file=self.progress.stream, smoothing=0,
                    bar_format=self.BAR_FORMAT, postfix=self.counts(), dynamic_ncols=True)

    def counts(self) -> str:
        """``1 failed, 7 remaining``: what the bar's own counts lack."""
        return f"{self.failed} failed, {self.total - self.done} remaining"

    def update(self, student: str, row: dict) -> None:
        """Count a finished submission (``row`` is its gradebook row) and show its line."""
        self.done += 1
        self.failed += row["status"] == "error"
        outcome = f"{student}: {format_points(row['points'])}/{format_points(row['max_points'])} ({row['status']})"
        if self.bar is None:
            self.progress.say(f"{self.plain_counts()} | {outcome}")
            return
        self.bar.set_postfix_str(self.counts(), refresh=False)
        self.bar.update(1)
        tqdm.write(f"[batch] {outcome}", file=self.progress.stream)

    def plain_counts(self) -> str:
        """``[batch] [####....] 3/10 done, 1 failed, 7 remaining, ~2 min left`` (a text bar, for logs)."""
        remaining = self.total - self.done
        eta = (time.monotonic() - self.started) / (self.done - self.already) * remaining
        filled = round(self.WIDTH * self.done / max(1, self.total))
        return (f"[batch] [{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} done, "
                f"{self.counts()}, ~{format_duration(eta)} left")

    def close(self) -> None:
        """Leave the bar's final state on its own line (nothing to do for plain lines)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> ClassProgress:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def is_terminal(stream) -> bool:
    """Whether ``stream`` is a terminal (a closed stream or one without ``isatty`` is not)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def format_duration(seconds: float) -> str:
    """``42 s``, ``12 min``, ``3.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
