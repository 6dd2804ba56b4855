"""Correct work earns full marks, stubs earn nothing, and the command writes its reports with progress."""
import json
import subprocess
import sys

from grader_support import COURSE, FAST_LIMITS

from autograder.results import GRADED


SOME = ("ex01_basics", "ex03_raises", "ex12_patches_pytest")


def test_the_fake_solutions_earn_full_marks(fake_grader):
    report = fake_grader.grade(COURSE / "solutions", only=SOME)
    assert [exercise.name for exercise in report.exercises] == list(SOME)
    assert report.points == report.max_points == 10
    assert all(exercise.status == GRADED for exercise in report.exercises)


def test_the_fake_stubs_earn_nothing_and_say_not_implemented(fake_grader, tmp_path):
    report = fake_grader.grade(COURSE, only=SOME)
    assert report.points == 0
    messages = [check.message for exercise in report.exercises for check in exercise.checks]
    assert all("NotImplementedError" in message for message in messages)


def test_the_command_grades_shows_progress_and_writes_four_reports(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "autograder", "grade", str(COURSE / "solutions"),
               "--instructor-root", str(COURSE), "-e", "ex01_basics", "-e", "ex02_wrong", "--out", str(out),
               "--timeout", str(FAST_LIMITS.timeout), "--jax-cache", str(tmp_path / "cache")]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "ex01_basics:   PASS    test_answer_value (2 pt)" in finished.stderr
    assert "total 7/7 points" in finished.stderr
    assert "ex02_wrong" in finished.stdout and "7/7" in finished.stdout
    data = json.loads((out / "report.json").read_text())
    assert data["points"] == data["max_points"] == 7
    assert (out / "summary.md").read_text().startswith("## Autograder: 7 / 7 points")
    assert (out / "junit.xml").is_file() and (out / "classroom.json").is_file()


def test_an_unknown_exercise_is_a_usage_error(tmp_path):
    command = [sys.executable, "-m", "autograder", "grade", str(COURSE), "--instructor-root", str(COURSE),
               "-e", "ex99_nothing", "--out", str(tmp_path), "-q"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 2 and "unknown exercise" in finished.stderr
