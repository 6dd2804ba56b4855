"""Grade a folder of submissions (one sub-folder per student, as GitHub Classroom downloads them).

Writes ``grades.csv`` (one row per student: total, per-exercise points, status, reasons),
``feedback/<student>.md`` (the Markdown summary) and ``reports/<student>.json``. Students are graded in
parallel, on this machine or a Dask cluster (``autograder.cluster``); each finished grading goes to the
journal ``grades.jsonl`` at once (``autograder.journal``), so a run that is interrupted and started again
grades only what is missing. A broken or empty submission gets a row with 0 and the reason, never a crash.
"""
from __future__ import annotations

import csv
import re
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder import catalog as catalog_module
from autograder import report as report_module
from autograder.grade import GradeOptions, Grader
from autograder.journal import JOURNAL_NAME, Journal, batch_key, checks_digest, grading_key
from autograder.packing import Packed, pack, unpack
from autograder.progress import EXERCISES, ClassProgress, Progress
from autograder.results import MISSING, GradeReport, format_points
from autograder.sandbox import NO_SANDBOX_NOTE

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def student_folders(folder: Path) -> list[Path]:
    """Every visible entry of ``folder`` (files too: they get a row saying they are not folders)."""
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))


def safe_name(name: str) -> str:
    return SAFE_NAME.sub("_", name).strip("._") or "student"


def submission_status(report: GradeReport) -> tuple[str, str]:
    """``empty`` when no exercise module was found (with the reason), else ``graded`` with every
    exercise's first reason for withheld points; either way first the note of a grade computed without a
    sandbox."""
    unsandboxed = [NO_SANDBOX_NOTE] if report.grader.get("sandbox") == "none" else []
    if all(exercise.status == MISSING for exercise in report.exercises):
        reasons = {exercise.reasons[0] for exercise in report.exercises if exercise.reasons}
        return "empty", "; ".join(unsandboxed + [reasons.pop() if len(reasons) == 1 else "no exercise modules found"])
    return "graded", "; ".join(unsandboxed + [f"{exercise.name}: {exercise.reasons[0]}"
                                              for exercise in report.exercises if exercise.reasons])


def unique_names(entries: list[Path]) -> list[str]:
    """File-safe, distinct labels for the students' folders."""
    names, seen = [], set()
    for entry in entries:
        name, count = safe_name(entry.name), 1
        while name in seen:
            count += 1
            name = f"{safe_name(entry.name)}-{count}"
        seen.add(name)
        names.append(name)
    return names


def grade_folder(folder: str | Path, out: str | Path, instructor_root: str | Path | None = None,
                 options: GradeOptions | None = None, students_in_parallel: int = 2,
                 progress: Progress | None = None, cluster: str | None = None,
                 worker_root: str | Path | None = None) -> Path:
    """Grade every sub-folder of ``folder`` into ``out`` (skipping what ``out``'s journal already holds for
    the same checks and modules); return the path of ``grades.csv``.

    Without ``cluster`` this machine grades ``students_in_parallel`` at a time; with it a Dask cluster does
    (``autograder.cluster``: ``tcp://HOST:PORT`` or ``local:N``), its workers reading the checks from
    ``worker_root`` (default: the instructor root's path)."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    progress = progress or Progress(EXERCISES)
    options = options or GradeOptions(jobs=1)
    root = catalog_module.find_instructor_root(instructor_root)
    names = selected_exercises(root, options.exercises)
    entries = student_folders(folder)
    packs = {student: read_submission(entry) for entry, student in zip(entries, unique_names(entries))}
    checks = checks_digest(root)
    batch = batch_key(checks, names, options.limits)
    keys = {student: grading_key(batch, packed.digest) for student, packed in packs.items()}
    journal = Journal(out / JOURNAL_NAME)
    done = {student for student, entry in journal.latest(keys).items() if entry["row"]["status"] != "error"}
    todo = {student: packed for student, packed in packs.items() if student not in done}
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    where = f"on the Dask cluster {cluster}" if cluster else f"{students_in_parallel} students at a time"
    progress.say(f"[batch] {len(packs)} submissions, {len(names)} exercises, {len(done)} already graded "
                 f"(journal {journal.path}), {len(todo)} to grade {where}")
    per_worker: Counter[str] = Counter()
    if cluster:
        from autograder import cluster as cluster_module

        outcomes = cluster_module.grade(cluster, Path(worker_root or root), options, checks, todo)
    else:
        outcomes = grade_here(root, options, todo, students_in_parallel)
    try:
        with ClassProgress(progress, len(packs), len(done)) as bar:
            for student, outcome in outcomes:
                record(out, journal, student, keys[student], outcome)
                per_worker[outcome["worker"]] += 1
                bar.update(student, outcome["row"])
    except KeyboardInterrupt:
        progress.say(f"[batch] interrupted after {sum(per_worker.values())} gradings; every finished one is in "
                     f"{journal.path}: run the same command again to grade only the rest")
        raise
    finally:
        outcomes.close()
    rows = [entry["row"] for entry in journal.latest(keys).values()]
    csv_path = write_gradebook(out / "grades.csv", rows, names)
    counts = ", ".join(f"{worker} {count}" for worker, count in sorted(per_worker.items())) or "none"
    progress.say(f"[batch] wrote {csv_path} in {time.monotonic() - started:.0f} s; graded per worker: {counts}")
    return csv_path


def selected_exercises(root: Path, wanted: tuple[str, ...]) -> list[str]:
    """The exercises a batch grades (the gradebook's columns), in the checks' order."""
    names = catalog_module.exercise_names(root)
    unknown = [name for name in wanted if name not in names]
    if unknown:
        raise catalog_module.CatalogError(f"unknown exercise(s) {', '.join(unknown)}; known: {', '.join(names)}")
    return [name for name in names if not wanted or name in wanted]


def read_submission(entry: Path) -> Packed:
    """The submission's modules; a folder that cannot be read is graded as one with that reason."""
    try:
        return pack(entry)
    except OSError as error:
        return Packed(str(entry), problem=f"the submission could not be read: {type(error).__name__}: {error}")


def grade_packed(grader: Grader, packed: Packed, student: str) -> dict:
    """Grade one packed submission: its gradebook row, feedback Markdown and JSON report."""
    try:
        with tempfile.TemporaryDirectory(prefix="autograder-submission-") as scratch:
            report = grader.grade(unpack(packed, Path(scratch)), who=student)
    except Exception as error:  # noqa: BLE001 - one broken submission never stops the batch
        return {"row": error_row(student, f"grader error: {type(error).__name__}: {error}")}
    report.submission = packed.label
    if packed.problem is not None:
        for exercise in report.exercises:
            exercise.reasons = [packed.problem]
    status, reasons = submission_status(report)
    row = {"student": student, "points": report.points, "max_points": report.max_points, "status": status,
           "reasons": reasons, "exercises": {exercise.name: exercise.points for exercise in report.exercises}}
    return {"row": row, "feedback": report_module.to_markdown(report), "report": report_module.to_json(report)}


def error_row(student: str, reason: str) -> dict:
    """The row of a submission the grader could not grade (tried again by the next run)."""
    return {"student": student, "points": 0, "max_points": 0, "status": "error", "reasons": reason, "exercises": {}}


def grade_here(root: Path, options: GradeOptions, packs: dict[str, Packed],
               students_in_parallel: int) -> Iterator[tuple[str, dict]]:
    """Grade ``packs`` on this machine, ``students_in_parallel`` at a time; yield each as it finishes."""
    if not packs:
        return
    with Grader(root, options, Progress(0)) as grader:
        pool = ThreadPoolExecutor(max_workers=max(1, students_in_parallel))
        try:
            futures = {pool.submit(timed, grader, packed, student): student for student, packed in packs.items()}
            for future in as_completed(futures):
                yield futures[future], future.result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def timed(grader: Grader, packed: Packed, student: str, worker: str = "this machine") -> dict:
    """``grade_packed`` with who graded it and how long it took."""
    started = time.monotonic()
    outcome = grade_packed(grader, packed, student)
    return {**outcome, "worker": worker, "seconds": round(time.monotonic() - started, 2)}


def record(out: Path, journal: Journal, student: str, key: str, outcome: dict) -> None:
    """Write a finished grading's feedback and report, then its journal line (what makes it count)."""
    if "feedback" in outcome:
        (out / "feedback" / f"{student}.md").write_text(outcome["feedback"], encoding="utf-8")
        (out / "reports" / f"{student}.json").write_text(outcome["report"], encoding="utf-8")
    journal.append({"student": student, "key": key, "row": outcome["row"], "worker": outcome["worker"],
                    "seconds": outcome["seconds"]})


def write_gradebook(path: Path, rows: list[dict], names: list[str]) -> Path:
    """One row per student: student, points, max_points, percent, one column per exercise, status, reasons."""
    columns = ["student", "points", "max_points", "percent", *names, "status", "reasons", "feedback"]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            maximum = row["max_points"]
            writer.writerow({
                "student": row["student"], "points": format_points(row["points"]),
                "max_points": format_points(maximum),
                "percent": f"{100 * row['points'] / maximum:.1f}" if maximum else "0.0",
                **{name: format_points(row["exercises"].get(name, 0.0)) for name in names},
                "status": row["status"], "reasons": row["reasons"],
                "feedback": f"feedback/{row['student']}.md" if row["status"] != "error" else "",
            })
    return path
