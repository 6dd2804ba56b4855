"""A hostile submission loses exactly the points of each misbehaving exercise, and the report says why.

One grading run of tests/grader/fixtures/submissions/hostile covers every case (exercises run two at a
time, each in its own process); the tests below read its report. They run three times: in the bubblewrap
sandbox with each exercise forked from a prefork server (the default) and started as a new Python
process (``prefork=False``), and forked without a sandbox (``--sandbox none``).
"""
import dataclasses
from pathlib import Path

import pytest
from grader_support import COURSE, FAST_LIMITS, SUBMISSIONS, require_bwrap

from autograder.grade import Grader
from autograder.progress import QUIET, Progress
from autograder.results import GRADED, INVALID, MISSING, VOIDED
from autograder.sandbox import NO_SANDBOX_NOTE

HOSTILE = SUBMISSIONS / "hostile"
ESCAPE = Path("/tmp/autograder-hostile-escape.txt")


@pytest.fixture(scope="module", params=[("forked", "bwrap"), ("new process", "bwrap"), ("forked", "none")],
                ids=["forked-bwrap", "new-process-bwrap", "forked-none"])
def report(request, fake_grader):
    ESCAPE.unlink(missing_ok=True)
    start, sandbox = request.param
    if sandbox == "bwrap":
        require_bwrap()
    options = dataclasses.replace(fake_grader.options, prefork=start == "forked", sandbox=sandbox)
    with Grader(COURSE, options, Progress(QUIET)) as grader:
        graded = grader.grade(HOSTILE)
        assert (grader.prefork_servers > 0) == (start == "forked")
    assert graded.grader["sandbox"] == sandbox
    return graded


@pytest.fixture(scope="module")
def exercises(report):
    return {exercise.name: exercise for exercise in report.exercises}


def reasons(exercise) -> str:
    return " ".join(exercise.reasons)


def test_the_correct_exercise_keeps_full_points_next_to_hostile_ones(exercises):
    basics = exercises["ex01_basics"]
    assert basics.status == GRADED
    assert basics.points == basics.max_points == 4
    assert [check.points for check in basics.checks] == [2, 1, 0.5, 0.5, 0]


def test_the_submissions_own_checks_and_expected_values_are_ignored(exercises, report):
    wrong = exercises["ex02_wrong"]
    value_check = next(check for check in wrong.checks if check.name == "test_answer_value")
    assert value_check.outcome == "failed" and "wrong value" in value_check.message
    assert wrong.points == 1  # only the float check passes, by the instructor's checks
    assert {"tests", "conftest.py", "pytest.ini", "sitecustomize.py"} <= set(report.ignored_files)
    assert "exercises/helper_not_an_exercise.py" in report.ignored_files


def test_an_exception_fails_the_checks_with_the_line_it_came_from(exercises):
    raises = exercises["ex03_raises"]
    assert raises.status == GRADED and raises.points == 0
    assert all("ZeroDivisionError (line 5 of ex03_raises.py)" in check.message for check in raises.checks)


def test_sys_exit_fails_the_checks_and_says_so(exercises):
    exits = exercises["ex04_sys_exit"]
    assert exits.points == 0
    assert "called sys.exit(3)" in exits.checks[0].message


def test_os_exit_voids_the_exercise(exercises):
    ended = exercises["ex05_os_exit"]
    assert ended.status == VOIDED and ended.points == 0
    assert "ended abruptly" in reasons(ended) and "test_answer_value" in reasons(ended)


def test_an_endless_loop_times_out_naming_the_check(exercises):
    hangs = exercises["ex06_hangs"]
    assert hangs.status == VOIDED and hangs.points == 0
    assert f"timed out after {FAST_LIMITS.timeout:g} s during check test_answer_value" in reasons(hangs)
    assert hangs.duration < FAST_LIMITS.timeout + 10


def test_printing_megabytes_is_stopped(exercises):
    prints = exercises["ex07_prints"]
    assert prints.status == VOIDED
    assert f"printed more than {FAST_LIMITS.output_kb} KB" in reasons(prints)


def test_unbounded_allocation_hits_the_memory_limit(exercises):
    allocates = exercises["ex08_allocates"]
    assert allocates.status == VOIDED and allocates.points == 0
    assert "memory" in reasons(allocates) and str(FAST_LIMITS.memory_mb) in reasons(allocates)


def test_writes_outside_the_folder_are_blocked_and_void_the_exercise(exercises):
    writes = exercises["ex09_writes_outside"]
    assert writes.status == VOIDED and writes.points == 0
    assert "../tests/exercises/test_ex09_writes_outside.py" in reasons(writes)
    assert str(ESCAPE) in reasons(writes)
    assert not ESCAPE.exists()
    # the checks themselves passed (the module swallowed the errors): only the guard withheld the points
    assert all(check.outcome == "passed" for check in writes.checks)


def test_plain_monkey_patching_is_caught_before_running(exercises):
    patched = exercises["ex10_patches_numpyro"]
    assert patched.status == VOIDED
    assert "assigns to numpyro.infer.MCMC" in reasons(patched)
    assert all(check.outcome == "not run" for check in patched.checks)


def test_hidden_monkey_patching_of_jax_is_caught_while_running(exercises):
    patched = exercises["ex11_patches_jax"]
    assert patched.status == VOIDED and patched.points == 0
    assert "jax.random.normal was replaced" in reasons(patched)


def test_patching_pytest_to_pass_a_wrong_answer_earns_nothing(exercises):
    patched = exercises["ex12_patches_pytest"]
    assert patched.status == VOIDED and patched.points == 0
    assert "pytest.approx was replaced" in reasons(patched)


def test_syntax_errors_and_missing_modules_are_reported(exercises):
    assert exercises["ex13_syntax_error"].status == INVALID
    assert "SyntaxError" in reasons(exercises["ex13_syntax_error"])
    assert exercises["ex14_missing"].status == MISSING
    assert "ex14_missing.py is missing" in reasons(exercises["ex14_missing"])


def test_the_total_is_exactly_what_was_earned(report):
    assert report.points == 5  # ex01 (4) + ex02's float check (1)
    assert report.points == sum(exercise.points for exercise in report.exercises)
    for exercise in report.exercises:
        assert exercise.points <= exercise.max_points
        assert exercise.points == sum(check.points for check in exercise.checks)


def test_the_submission_folder_is_left_untouched(report):
    # the backstop comparison of the originals found nothing; only a grade without a sandbox says so
    assert report.warnings == ([NO_SANDBOX_NOTE] if report.grader["sandbox"] == "none" else [])
    assert not (HOSTILE / "scratch.txt").exists()
    assert not (HOSTILE / "exercises" / "scratch.txt").exists()
