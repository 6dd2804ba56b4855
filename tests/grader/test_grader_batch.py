"""Batch grading: one CSV row and one feedback file per student; broken or empty submissions get 0 and why."""
import csv
import shutil

import pytest
from grader_support import COURSE, FAST_LIMITS, SUBMISSIONS

from autograder.batch import grade_folder
from autograder.grade import GradeOptions
from autograder.progress import QUIET, Progress

SOME = ("ex01_basics", "ex12_patches_pytest")


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    submissions = root / "assignment-submissions"
    (submissions / "alice").mkdir(parents=True)
    shutil.copytree(COURSE / "solutions", submissions / "alice" / "exercises")
    (submissions / "bob" / "bob-repo").mkdir(parents=True)  # the repository one level down
    shutil.copytree(SUBMISSIONS / "hostile" / "exercises", submissions / "bob" / "bob-repo" / "exercises")
    (submissions / "carol").mkdir()                         # empty
    (submissions / "dave.zip").write_bytes(b"PK")            # not a folder
    (submissions / "erin").mkdir()
    (submissions / "erin" / "exercises").write_text("a file, not a folder")
    options = GradeOptions(limits=FAST_LIMITS, jobs=1, exercises=SOME, jax_cache=root / "cache",
                           catalog_cache=root / "catalog")
    csv_path = grade_folder(submissions, root / "out", instructor_root=COURSE, options=options,
                            students_in_parallel=2, progress=Progress(QUIET))
    with open(csv_path, newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return root / "out", rows


def test_every_entry_gets_a_row_with_the_exercise_columns(gradebook):
    out, rows = gradebook
    assert sorted(rows) == ["alice", "bob", "carol", "dave.zip", "erin"]
    assert list(rows["alice"])[:6] == ["student", "points", "max_points", "percent", *SOME]


def test_correct_work_gets_full_marks(gradebook):
    _, rows = gradebook
    assert (rows["alice"]["points"], rows["alice"]["max_points"], rows["alice"]["percent"]) == ("7", "7", "100.0")
    assert rows["alice"]["status"] == "graded" and rows["alice"]["reasons"] == ""


def test_hostile_work_loses_only_the_misbehaving_exercise(gradebook):
    _, rows = gradebook
    bob = rows["bob"]
    assert (bob["ex01_basics"], bob["ex12_patches_pytest"], bob["points"]) == ("4", "0", "4")
    assert "pytest.approx was replaced" in bob["reasons"]


@pytest.mark.parametrize("student, reason", [("carol", "the submission is empty"),
                                             ("dave.zip", "is not a folder"),
                                             ("erin", "no exercises/ folder")])
def test_broken_or_empty_submissions_get_zero_and_the_reason(gradebook, student, reason):
    _, rows = gradebook
    assert rows[student]["points"] == "0" and rows[student]["status"] == "empty"
    assert reason in rows[student]["reasons"]


def test_each_student_gets_feedback_and_a_json_report(gradebook):
    out, rows = gradebook
    for student in rows:
        feedback = (out / rows[student]["feedback"]).read_text()
        assert feedback.startswith("## Autograder:")
        assert (out / "reports" / f"{student}.json").is_file()
    assert "pytest.approx was replaced" in (out / "feedback" / "bob.md").read_text()
