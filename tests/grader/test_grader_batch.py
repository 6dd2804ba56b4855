"""Batch grading: one CSV row and one feedback file per student; broken or empty submissions get 0 and why;
the batch's progress is a bar on a terminal and one plain line per submission in a log."""
import csv
import io
import re
import shutil

import pytest
from grader_support import COURSE, FAST_LIMITS, SUBMISSIONS

from autograder.batch import grade_folder
from autograder.grade import GradeOptions
from autograder.progress import EXERCISES, QUIET, ClassProgress, Progress

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


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, as stderr is in the instructor's shell."""

    def isatty(self) -> bool:
        return True


def screen(text: str) -> list[str]:
    """What a terminal shows of ``text``: each line as its last carriage return left it."""
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n")]


def class_progress(stream: io.StringIO, level: int = EXERCISES) -> str:
    """The progress of a class of three, one graded by an earlier run, then one graded and one error."""
    with ClassProgress(Progress(level, stream=stream), total=3, already=1) as bar:
        bar.update("alice", {"status": "graded", "points": 7, "max_points": 7})
        bar.update("killer", {"status": "error", "points": 0, "max_points": 0})
    return stream.getvalue()


def test_on_a_terminal_the_progress_is_a_bar_below_the_finished_submissions():
    text = class_progress(FakeTerminal())
    assert re.search(r"\| 2/3 done, 0 failed, 1 remaining, ~\S+ left", text)
    shown = screen(text)
    assert shown[:2] == ["[batch] alice: 7/7 (graded)", "[batch] killer: 0/0 (error)"]
    assert re.fullmatch(r"\[batch\] 100%\|#+\| 3/3 done, 1 failed, 0 remaining, ~\S+ left \[\S+\]", shown[2])
    assert shown[3:] == [""]


def test_in_a_log_the_progress_is_one_plain_line_per_submission():
    text = class_progress(io.StringIO())
    assert "\r" not in text
    first, second = text.splitlines()
    assert re.fullmatch(r"\[batch\] \[#{13}\.{7}\] 2/3 done, 0 failed, 1 remaining, ~\d+ s left \| alice: 7/7 "
                        r"\(graded\)", first)
    assert re.fullmatch(r"\[batch\] \[#{20}\] 3/3 done, 1 failed, 0 remaining, ~\d+ s left \| killer: 0/0 "
                        r"\(error\)", second)
    assert class_progress(FakeTerminal(), level=QUIET) == ""


def test_the_summary_with_the_counts_per_worker_comes_below_the_closed_bar(tmp_path):
    (tmp_path / "submissions" / "carol").mkdir(parents=True)
    (tmp_path / "submissions" / "dave.zip").write_bytes(b"PK")
    stream = FakeTerminal()
    options = GradeOptions(limits=FAST_LIMITS, jobs=1, exercises=SOME, jax_cache=tmp_path / "cache",
                           catalog_cache=tmp_path / "catalog")
    grade_folder(tmp_path / "submissions", tmp_path / "out", instructor_root=COURSE, options=options,
                 students_in_parallel=1, progress=Progress(EXERCISES, stream=stream))
    shown = screen(stream.getvalue())
    assert shown[0].startswith("[batch] 2 submissions") and shown[1:3] == ["[batch] carol: 0/7 (empty)",
                                                                          "[batch] dave.zip: 0/7 (empty)"]
    assert re.fullmatch(r"\[batch\] 100%\|#+\| 2/2 done, 0 failed, 0 remaining, .*", shown[3])
    assert shown[4].endswith("graded per worker: this machine 2") and shown[5:] == [""]
