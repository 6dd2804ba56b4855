"""Throughput of batch grading, on this machine alone and on a Dask ``local:2`` cluster, and what it
projects for a class of 300 or 3,000 on N workers.

The class is ``CLASS_SIZE`` copies of the reference solutions, graded by ``python -m autograder batch``
exactly as an instructor runs it (default sandbox), with the JAX and catalog caches filled first by one
grading of the solutions. Each batch's journal gives the seconds each submission took on its worker,
``t_sub``; the rest of the wall time is the start-up ``t_start`` (grader or cluster, checks, servers), so
``T(n, N) ≈ t_start + n · t_sub / N`` for n submissions on N workers of this speed.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.grading import grade_command, make_submission
from bench.table import Measurement

CLASS_SIZE = 6
PROJECTED = ((300, 2), (300, 20), (3000, 20), (3000, 100))
MODES = {"one machine (-s 2)": (("-s", "2"), 2), "Dask local:1": (("--cluster", "local:1"), 1),
         "Dask local:2": (("--cluster", "local:2"), 2)}
"""Each mode's command-line options and how many submissions it grades at a time; local:1 against local:2
is how throughput scales with workers on this machine."""


def make_class(repo: Path, folder: Path, size: int = CLASS_SIZE) -> Path:
    """``size`` students, each submitting the reference solutions."""
    for number in range(1, size + 1):
        make_submission(repo, folder / f"student{number:02d}")
    return folder


def batch(repo: Path, submissions: Path, caches: Path, out: Path, extra: tuple[str, ...],
          timeout: float) -> tuple[float, list[dict], str]:
    """Run one batch; return its wall seconds, its journal lines and the end of its output."""
    command = [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(out),
               "--jax-cache", str(caches / "jax"), "--catalog-cache", str(caches / "catalog"), *extra]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    journal = out / "grades.jsonl"
    lines = [json.loads(line) for line in journal.read_text().splitlines()] if journal.is_file() else []
    return seconds, lines, (done.stdout + done.stderr)[-2000:]


def projection(t_start: float, t_sub: float, n: int, workers: int) -> float:
    """``T(n, N) = t_start + n · t_sub / N`` in seconds."""
    return t_start + n * t_sub / workers


def measure(repo: Path, scratch: Path, timeout: float = 1800) -> tuple[list[Measurement], list[str]]:
    """Warm the caches, then time each mode on the same class; return the measurements and the formula."""
    submissions = make_class(repo, scratch / "class")
    caches = scratch / "caches"
    print("cluster: filling the caches with one grading of the solutions", flush=True)
    subprocess.run(grade_command(submissions / "student01", caches, scratch / "warm-up", ("--keep-compilations",)),
                   cwd=repo, capture_output=True, timeout=timeout, check=False)
    rows, notes = [], []
    for index, (label, (extra, workers)) in enumerate(MODES.items()):
        print(f"cluster: {label}, {CLASS_SIZE} submissions", flush=True)
        seconds, lines, output = batch(repo, submissions, caches, scratch / f"batch-{index}", extra, timeout)
        print(f"  {seconds:.1f} s", flush=True)
        if len(lines) != CLASS_SIZE or any(line["row"]["points"] != line["row"]["max_points"] for line in lines):
            notes.append(f"{label}: the batch did not give every copy of the solutions full marks, so its time "
                         f"is not a grading time; it said: {output.strip()[-500:]}")
            continue
        t_sub = sum(line["seconds"] for line in lines) / len(lines)
        t_start = max(0.0, seconds - CLASS_SIZE * t_sub / workers)
        rows += [Measurement("cluster", label, "wall time", seconds, "s"),
                 Measurement("cluster", label, "submissions per minute", 60 * CLASS_SIZE / seconds),
                 Measurement("cluster", label, "t_sub (per submission, on its worker)", t_sub, "s"),
                 Measurement("cluster", label, "t_start", t_start, "s")]
        for n, count in PROJECTED:
            rows.append(Measurement("cluster", label, f"T({n}, {count})",
                                    projection(t_start, t_sub, n, count) / 60, "min"))
        notes.append(f"{label}: T(n, N) ≈ {t_start:.0f} s + n × {t_sub:.1f} s / N (measured on {CLASS_SIZE} "
                     f"submissions, {workers} graded at a time; t_sub from the journal's per-submission seconds).")
    notes.append("Slow and noisy: this section grades whole submissions back to back; on a machine shared with other "
                 "work (see the load average above) every time here is inflated and one run is one sample.")
    notes.append("The projections assume N workers each as fast as one of the two here, each grading one submission "
                 "at a time, and a scheduler and disk that keep up; on this 2-core machine two workers already "
                 "share the cores, so t_sub here is an upper bound for a worker with cores of its own.")
    shutil.rmtree(scratch, ignore_errors=True)
    return rows, notes
