"""End to end on the real course: the reference solutions earn full marks through the isolated grader.

Marked ``grading`` (it fits every exercise's models; a few minutes on two cores): select it with
``-m grading`` or by path. The stubs' side (every graded check fails "not implemented yet", 0 points)
runs in test_grader_release.py against the student release.
"""
import pytest
from grader_support import REPO_ROOT

from autograder.grade import GradeOptions, Grader
from autograder.progress import QUIET, Progress
from autograder.results import GRADED

pytestmark = pytest.mark.grading


def test_the_reference_solutions_earn_full_marks(tmp_path):
    with Grader(REPO_ROOT, GradeOptions(jobs=2, catalog_cache=tmp_path), Progress(QUIET)) as grader:
        report = grader.grade(REPO_ROOT / "solutions")
    problems = [f"{exercise.name}: {exercise.status} {exercise.reasons} "
                + "; ".join(f"{check.name}: {check.message[:200]}" for check in exercise.checks if not check.passed)
                for exercise in report.exercises
                if exercise.status != GRADED or exercise.points < exercise.max_points]
    assert not problems, "\n".join(problems)
    assert report.points == report.max_points > 0
    assert {exercise.name for exercise in report.exercises} == {
        path.stem for path in (REPO_ROOT / "solutions").glob("ex*.py")}
