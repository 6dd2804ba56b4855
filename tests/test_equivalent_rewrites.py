"""Correct models written differently from solutions/ earn full marks through the real grader.

``rewrites.py`` generates the rewrites from each solution's source (a changed or new solution gets its
rewrites without hand work). One grading run per kind of rewrite grades the rewritten modules of every
exercise it changes, two exercises at a time. The test ids list the exercises each kind rewrote.
Marked ``grading``: it fits every model once per kind (a few minutes on two cores).
"""
from pathlib import Path

import pytest
from rewrites import KINDS, rewrites

from autograder.grade import GradeOptions, Grader
from autograder.progress import QUIET, Progress
from autograder.results import GRADED

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("ex[0-9][0-9]_*.py"))
# Sites the task asks to be written centred: non-centring them would be a wrong answer, not a rewrite.
CENTRED = {"ex03_aspirin": {("centred_model", "theta")}}

REWRITES = {path.stem: rewrites(path.read_text(encoding="utf-8"), CENTRED.get(path.stem, set()))
            for path in SOLUTIONS}
BY_KIND = {kind: {exercise: found[kind] for exercise, found in REWRITES.items() if kind in found} for kind in KINDS}


@pytest.mark.parametrize("exercise", [path.stem for path in SOLUTIONS if "numpyro" in path.read_text()])
def test_every_model_exercise_gets_every_kind_of_rewrite(exercise):
    assert sorted(REWRITES[exercise]) == sorted(KINDS)


@pytest.fixture(scope="module")
def grader(tmp_path_factory):
    with Grader(ROOT, GradeOptions(jobs=2, catalog_cache=tmp_path_factory.mktemp("catalog")),
                Progress(QUIET)) as grader:
        yield grader


@pytest.mark.grading
@pytest.mark.parametrize("kind", [pytest.param(kind, id=f"{kind}[{'+'.join(modules)}]")
                                  for kind, modules in BY_KIND.items()])
def test_rewrite_earns_full_marks(grader, tmp_path, kind):
    folder = tmp_path / "exercises"
    folder.mkdir()
    for exercise, source in BY_KIND[kind].items():
        (folder / f"{exercise}.py").write_text(source, encoding="utf-8")
    report = grader.grade(tmp_path, only=tuple(BY_KIND[kind]))
    lost = [f"{exercise.name}: {exercise.status} {exercise.reasons} "
            + "; ".join(f"{check.name}: {check.message[:300]}" for check in exercise.checks if not check.passed)
            for exercise in report.exercises if exercise.status != GRADED or exercise.points < exercise.max_points]
    assert not lost, f"the {kind} rewrite lost points:\n" + "\n".join(lost)
