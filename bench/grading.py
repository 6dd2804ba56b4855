"""Time the grader on a full submission made of the reference solutions: cold, then warm, and the
sandbox's cost.

The submission is a temporary folder holding ``exercises/exNN_name.py`` copied from ``solutions/``,
graded by the grader command exactly as an instructor runs it, in its default sandbox (bubblewrap).
Cold uses an empty JAX cache folder and an empty catalog cache (the checks' points table), and keeps
what the runs compiled (``--keep-compilations``: these are the instructor's solutions); warm grades
again with the folders the cold run filled. Then warm grading alternates without a sandbox
(``--sandbox none``) and with it, ``SANDBOX_ROUNDS`` times each, back to back, for the sandbox's cost.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.table import Measurement

TARGETS = {"cold": 60.0, "warm": 20.0}
SANDBOX_ROUNDS = 2
SANDBOX_TARGET = 10.0  # per cent of warm grading without a sandbox


def make_submission(repo: Path, folder: Path) -> Path:
    """A submission whose exercise modules are the reference solutions."""
    exercises = folder / "exercises"
    exercises.mkdir(parents=True, exist_ok=True)
    for solution in sorted((repo / "solutions").glob("ex[0-9][0-9]_*.py")):
        shutil.copy2(solution, exercises / solution.name)
    return folder


def grade_command(submission: Path, cache_dir: Path, out_dir: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """The instructor's grading command, with both caches in ``cache_dir`` (JAX's and the checks' catalog)."""
    return [sys.executable, "-m", "autograder", "grade", str(submission),
            "--jax-cache", str(cache_dir / "jax"), "--catalog-cache", str(cache_dir / "catalog"),
            "--out", str(out_dir), "--quiet", *extra]


def run_grader(repo: Path, submission: Path, cache_dir: Path, out_dir: Path,
               timeout: float, extra: tuple[str, ...] = ()) -> tuple[float, dict | None, str]:
    """Grade once; return (wall seconds, the JSON report or None, the end of the grader's output)."""
    start = time.perf_counter()
    try:
        done = subprocess.run(grade_command(submission, cache_dir, out_dir, extra), cwd=repo, capture_output=True,
                              text=True, timeout=timeout)
        output = (done.stdout + done.stderr)[-3000:]
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, None, f"timed out after {timeout:.0f} s"
    seconds = time.perf_counter() - start
    report = out_dir / "report.json"
    return seconds, (json.loads(report.read_text()) if report.is_file() else None), output


def cache_files(cache_dir: Path) -> int:
    return sum(1 for path in cache_dir.rglob("*") if path.is_file()) if cache_dir.is_dir() else 0


def exercise_rows(report: dict, label: str) -> list[Measurement]:
    """Per exercise: the grader's own time for its subprocess, and the points the solution earned."""
    rows = []
    for exercise in report.get("exercises", []):
        rows.append(Measurement("exercise", exercise["name"], label, exercise.get("duration", float("nan")), "s"))
        rows.append(Measurement("exercise", exercise["name"], f"points ({label})",
                                f"{exercise['points']:g}/{exercise['max_points']:g}"))
    return rows


def unpassed_checks(report: dict) -> list[str]:
    """``exercise::check (outcome)`` for every check of the report that did not pass."""
    return [f"{exercise['name']}::{check['name']} ({check['outcome']})"
            for exercise in report.get("exercises", []) for check in exercise.get("checks", [])
            if check.get("outcome") != "passed"]


def measure(repo: Path, scratch: Path, timeout: float = 600) -> tuple[list[Measurement], list[str]]:
    """Grade the solutions cold then warm; return measurements and notes on anything unexpected."""
    submission = make_submission(repo, scratch / "submission")
    cache_dir = scratch / "caches"
    rows, notes = [], []
    for label in ("cold", "warm"):
        print(f"grading: {label} run", flush=True)
        extra = ("--keep-compilations",) if label == "cold" else ()
        seconds, report, output = run_grader(repo, submission, cache_dir, scratch / f"report-{label}", timeout,
                                             extra)
        item = f"{label} ({'empty' if label == 'cold' else 'filled'} JAX and catalog caches)"
        rows += [Measurement("grading", item, "wall time", seconds, "s"),
                 Measurement("grading", item, "target", f"≤ {TARGETS[label]:g} s"),
                 Measurement("grading", item, "meets target", "yes" if seconds <= TARGETS[label] else "NO")]
        print(f"  {seconds:.1f} s", flush=True)
        if report is None:
            notes.append(f"The {label} grading run wrote no report.json; the grader said: {output.strip()[-500:]}")
            continue
        total = f"{report.get('points', float('nan')):g}/{report.get('max_points', float('nan')):g}"
        rows += [Measurement("grading", item, "points", total),
                 Measurement("grading", item, "JAX cache files after", cache_files(cache_dir / "jax"))]
        rows += exercise_rows(report, label)
        jobs = report.get("grader", {}).get("jobs")
        if label == "cold" and jobs and jobs > 1:
            notes.append(f"The grader ran {jobs} exercises at a time, so the per-exercise times overlap and "
                         "add up to more than the wall time.")
        if report.get("points") != report.get("max_points"):
            notes.append(f"The reference solutions did not earn full points in the {label} run ({total}; "
                         f"not passed: {', '.join(unpassed_checks(report)) or 'see the report'}): "
                         "a grading time is only meaningful for a grader that passes them.")
    if cache_files(cache_dir / "jax") == 0:
        notes.append("The grader wrote nothing to the JAX cache folder it was given, so warm is not faster than cold.")
    sandbox_rows, sandbox_notes = sandbox_cost(repo, submission, cache_dir, scratch, timeout)
    return rows + sandbox_rows, notes + sandbox_notes


def sandbox_cost(repo: Path, submission: Path, cache_dir: Path, scratch: Path,
                 timeout: float) -> tuple[list[Measurement], list[str]]:
    """Warm grading without and with the sandbox, alternating; the mean of each and the overhead."""
    times: dict[str, list[float]] = {"none": [], "bwrap": []}
    for round_number in range(SANDBOX_ROUNDS):
        for sandbox in times:
            print(f"grading: warm, --sandbox {sandbox} ({round_number + 1}/{SANDBOX_ROUNDS})", flush=True)
            seconds, report, _ = run_grader(repo, submission, cache_dir, scratch / f"report-{sandbox}", timeout,
                                            ("--sandbox", sandbox))
            times[sandbox].append(seconds if report and report.get("points") == report.get("max_points")
                                  else float("nan"))
            print(f"  {seconds:.1f} s", flush=True)
    mean = {sandbox: sum(values) / len(values) for sandbox, values in times.items()}
    overhead = 100 * (mean["bwrap"] / mean["none"] - 1)
    item = f"warm, sandbox cost (mean of {SANDBOX_ROUNDS} alternating runs each)"
    rows = [Measurement("grading", item, "wall time --sandbox none", mean["none"], "s"),
            Measurement("grading", item, "wall time --sandbox bwrap", mean["bwrap"], "s"),
            Measurement("grading", item, "sandbox overhead", f"{overhead:+.1f} %"),
            Measurement("grading", item, "target", f"≤ {SANDBOX_TARGET:g} %"),
            Measurement("grading", item, "meets target", "yes" if overhead <= SANDBOX_TARGET else "NO")]
    note = ("Sandbox cost: warm grading of the solutions alternately without (--sandbox none) and with the "
            "default bubblewrap sandbox, back to back; single runs: "
            + "; ".join(f"{sandbox} " + ", ".join(f"{value:.1f} s" for value in values)
                        for sandbox, values in times.items()) + ".")
    return rows, [note]
