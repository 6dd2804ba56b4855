"""Grade a folder of submissions (one sub-folder per student, as GitHub Classroom downloads them).

Writes ``grades.csv`` (one row per student: total, per-exercise points, status, reasons),
``feedback/<student>.md`` (the Markdown summary) and ``reports/<student>.json``. Students are graded in
parallel; a broken or empty submission gets a row with 0 and the reason, never a crash.
"""
from __future__ import annotations

import csv
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from autograder import report as report_module
from autograder.grade import GradeOptions, Grader
from autograder.progress import EXERCISES, Progress
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
                 progress: Progress | None = None) -> Path:
    """Grade every sub-folder of ``folder`` into ``out``; return the path of ``grades.csv``."""
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    progress = progress or Progress(EXERCISES)
    entries = student_folders(folder)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with Grader(instructor_root, options or GradeOptions(jobs=1), Progress(0)) as grader:
        names = grader.exercise_names()
        progress.say(f"[batch] {len(entries)} submissions, {len(names)} exercises, "
                     f"{students_in_parallel} students at a time")

        def grade_one(entry: Path, student: str) -> dict:
            try:
                report = grader.grade(entry, who=student)
            except Exception as error:  # noqa: BLE001 - one broken submission never stops the batch
                return {"student": student, "points": 0, "max_points": 0, "status": "error",
                        "reasons": f"grader error: {type(error).__name__}: {error}", "exercises": {}}
            (out / "feedback" / f"{student}.md").write_text(report_module.to_markdown(report), encoding="utf-8")
            (out / "reports" / f"{student}.json").write_text(report_module.to_json(report), encoding="utf-8")
            status, reasons = submission_status(report)
            row = {"student": student, "points": report.points, "max_points": report.max_points,
                   "status": status, "reasons": reasons,
                   "exercises": {exercise.name: exercise.points for exercise in report.exercises}}
            progress.say(f"[batch] {student}: {format_points(report.points)}/{format_points(report.max_points)}"
                         f" ({status})")
            return row

        with ThreadPoolExecutor(max_workers=max(1, students_in_parallel)) as pool:
            rows = list(pool.map(grade_one, entries, unique_names(entries)))
    csv_path = write_gradebook(out / "grades.csv", rows, names)
    progress.say(f"[batch] wrote {csv_path} in {time.monotonic() - started:.0f} s")
    return csv_path


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
