"""Scoring never awards more than was earned: points come from the catalog, and misbehaviour voids."""
from autograder.catalog import Check
from autograder.isolation import Limits, RunResult
from autograder.results import ERROR, GRADED, VOIDED
from autograder.scoring import score

CHECKS = [Check("tests/exercises/test_ex01_a.py::test_one", "test_one", 2.0),
          Check("tests/exercises/test_ex01_a.py::test_two", "test_two", 3.0)]
LIMITS = Limits(timeout=5, memory_mb=100, output_kb=10)


def result(nodeid, outcome="passed", message="", **extra):
    return {"event": "result", "nodeid": nodeid, "outcome": outcome, "message": message, **extra}


def finished(*events, status=0):
    return RunResult(events=[*events, {"event": "finish", "exitstatus": status}], returncode=status)


def test_passed_checks_earn_the_catalog_points_not_what_the_process_claims():
    run = finished(result(CHECKS[0].nodeid, points=100), result(CHECKS[1].nodeid, "failed", "wrong"), status=1)
    exercise = score("ex01_a", CHECKS, run, LIMITS)
    assert exercise.status == GRADED
    assert [check.points for check in exercise.checks] == [2.0, 0.0]
    assert exercise.points == 2.0 and exercise.max_points == 5.0


def test_unknown_and_repeated_results_earn_nothing_more():
    run = finished(result(CHECKS[0].nodeid, "failed", "no"), result(CHECKS[0].nodeid, "passed"),
                   result("tests/exercises/test_ex01_a.py::test_invented"))
    exercise = score("ex01_a", CHECKS, run, LIMITS)
    assert exercise.points == 0.0
    assert any("unknown check" in note for note in exercise.notes)


def test_a_check_that_did_not_run_earns_nothing():
    exercise = score("ex01_a", CHECKS, finished(result(CHECKS[0].nodeid), status=2), LIMITS)
    assert exercise.points == 2.0
    assert exercise.checks[1].outcome == "not run"
    assert "stopped early" in exercise.reasons[0]


def test_an_unknown_outcome_counts_as_failed():
    exercise = score("ex01_a", CHECKS, finished(result(CHECKS[0].nodeid, "xpassed")), LIMITS)
    assert exercise.checks[0].outcome == "failed" and exercise.points == 0.0


def test_tampering_voids_even_passed_checks():
    run = finished(result(CHECKS[0].nodeid), result(CHECKS[1].nodeid),
                   {"event": "tamper", "nodeid": CHECKS[1].nodeid, "detail": "pytest.approx was replaced"})
    exercise = score("ex01_a", CHECKS, run, LIMITS)
    assert exercise.status == VOIDED and exercise.points == 0.0
    assert "pytest.approx was replaced" in exercise.reasons[0] and "test_two" in exercise.reasons[0]


def test_a_violation_by_library_code_is_a_note_not_a_penalty():
    violation = {"event": "violation", "nodeid": CHECKS[0].nodeid, "kind": "process",
                 "detail": "subprocess.Popen", "by_submission": False}
    exercise = score("ex01_a", CHECKS, finished(result(CHECKS[0].nodeid), violation), LIMITS)
    assert exercise.status == GRADED and exercise.points == 2.0
    assert "blocked" in exercise.notes[0]


def test_kills_and_abrupt_ends_void_with_the_last_started_check():
    for killed_for, expected in (("timeout", "timed out after 5 s during check test_two"),
                                 ("memory", "more than 100 MB"), ("output", "more than 10 KB")):
        run = RunResult(events=[result(CHECKS[0].nodeid)], killed_for=killed_for, returncode=-9,
                        last_started=CHECKS[1].nodeid)
        exercise = score("ex01_a", CHECKS, run, LIMITS)
        assert exercise.status == VOIDED and exercise.points == 0.0
        assert expected in exercise.reasons[0]
    abrupt = score("ex01_a", CHECKS, RunResult(events=[result(CHECKS[0].nodeid)], returncode=-11,
                                               last_started=CHECKS[1].nodeid), LIMITS)
    assert "killed by signal SIGSEGV during check test_two" in abrupt.reasons[0]


def test_changed_check_files_void_the_exercise():
    run = finished(result(CHECKS[0].nodeid))
    run.checks_changed = ["exercises/test_ex01_a.py"]
    assert score("ex01_a", CHECKS, run, LIMITS).status == VOIDED


def test_memory_errors_in_messages_void_the_exercise():
    run = finished(result(CHECKS[0].nodeid), result(CHECKS[1].nodeid, "failed", "MemoryError: cannot allocate"))
    assert "ran out of memory" in score("ex01_a", CHECKS, run, LIMITS).reasons[0]


def test_a_run_that_never_started_is_the_graders_problem():
    exercise = score("ex01_a", CHECKS, RunResult(events=[], returncode=4, stderr_tail="ImportError"), LIMITS)
    assert exercise.status == ERROR and exercise.points == 0.0
    assert "could not start" in exercise.reasons[0] and "ImportError" in exercise.log_tail


def test_a_lasting_change_is_reported_once_at_its_first_check():
    tamper = {"event": "tamper", "detail": "pytest.approx was replaced"}
    run = finished(result(CHECKS[0].nodeid), {**tamper, "nodeid": CHECKS[0].nodeid},
                   result(CHECKS[1].nodeid), {**tamper, "nodeid": CHECKS[1].nodeid},
                   {**tamper, "nodeid": "<end of session>"})
    exercise = score("ex01_a", CHECKS, run, LIMITS)
    assert len(exercise.reasons) == 1 and "during check test_one" in exercise.reasons[0]
