"""Turn one exercise's run into points: only checks that ran and passed earn, and misbehaviour voids.

Points per check come from the trusted catalog, never from the subprocess. A check that did not run
earns 0. The exercise is voided (0 points, with the reason) when the submission timed out, used too
much memory, output or disk, ended the process abruptly, patched a library, wrote outside its folder, started
a process, or changed the copied checks.
"""
from __future__ import annotations

import signal

from autograder.catalog import Check
from autograder.isolation import DISK_ENTRY_LIMIT, Limits, RunResult
from autograder.results import ERROR, GRADED, VOIDED, CheckResult, ExerciseResult

OUT_OF_MEMORY_MARKERS = ("MemoryError", "RESOURCE_EXHAUSTED", "Out of memory", "std::bad_alloc")
MAX_LISTED = 5
NO_RESULT = "did not run"


def check_name(nodeid: str) -> str:
    """``test_mean[0]`` from ``tests/exercises/test_ex01.py::test_mean[0]``; ``start-up`` for none."""
    return nodeid.split("::", 1)[-1] if nodeid and "::" in nodeid else (nodeid or "start-up")


def _during(nodeid: str | None) -> str:
    return f" during check {check_name(nodeid)}" if nodeid else " before any check started"


def empty_checks(checks: list[Check]) -> list[CheckResult]:
    return [CheckResult(check.nodeid, check.name or check_name(check.nodeid), check.points, message=NO_RESULT)
            for check in checks]


def unrun(name: str, checks: list[Check], status: str, reasons: list[str]) -> ExerciseResult:
    """An exercise that was not run (missing, unparsable, statically voided, uncollectable)."""
    return ExerciseResult(name, status, sum(check.points for check in checks), 0.0, list(reasons),
                          checks=empty_checks(checks))


def score(name: str, checks: list[Check], run: RunResult, limits: Limits) -> ExerciseResult:
    """Points and reasons for one exercise's run."""
    by_nodeid = {check.nodeid: result for check, result in zip(checks, empty_checks(checks))}
    exercise = ExerciseResult(name, GRADED, sum(check.points for check in checks),
                              checks=list(by_nodeid.values()), duration=round(run.duration, 2))
    void, notes = [], []
    tampering: dict[str, list[str]] = {}
    seen: set[str] = set()  # a lasting change is reported after every check: keep its first sighting
    finished = None
    for event in run.events:
        kind = event["event"]
        nodeid = str(event.get("nodeid", ""))
        if kind == "result":
            result = by_nodeid.get(nodeid)
            if result is None:
                notes.append(f"ignored a result for an unknown check {nodeid!r}")
            elif result.message == NO_RESULT:  # the first result for a check counts
                result.outcome = str(event.get("outcome", "failed"))
                if result.outcome not in ("passed", "failed", "error", "skipped"):
                    result.outcome = "failed"
                result.message = str(event.get("message", ""))[:4000]
                duration = event.get("duration", 0.0)
                result.duration = float(duration) if isinstance(duration, (int, float)) else 0.0
        elif kind == "tamper":
            detail = str(event.get("detail", ""))
            if detail not in seen:
                seen.add(detail)
                tampering.setdefault(check_name(nodeid), []).append(detail)
        elif kind == "violation":
            where = f" ({event['location']})" if event.get("location") else ""
            detail = f"{event.get('detail', '')}{where}"
            if detail not in seen:
                seen.add(detail)
                text = f"{detail}{_during(nodeid)}; blocked"
                (void if event.get("by_submission") else notes).append(
                    ("tried " if event.get("by_submission") else "the grader blocked ") + text)
        elif kind == "finish":
            finished = event.get("exitstatus")
    for where, details in tampering.items():
        listed = "; ".join(details[:MAX_LISTED]) + (" ..." if len(details) > MAX_LISTED else "")
        void.append(f"changed the libraries the checks rely on ({listed}) during check {where}: "
                    "monkey-patching numpyro, jax, numpy or pytest is not allowed")
    void.extend(_termination_reasons(run, limits, finished))
    for result in exercise.checks:
        if any(marker in result.message for marker in OUT_OF_MEMORY_MARKERS):
            void.append(f"ran out of memory (limit {limits.memory_mb} MB) in check {result.name}")
            break
    if run.checks_changed:
        void.append("changed the grader's copy of the checks: " + ", ".join(run.checks_changed[:MAX_LISTED]))
    if finished not in (None, 0, 1, 5) and not void:
        exercise.reasons.append(f"the checks stopped early (pytest exit status {finished}); "
                                "checks that did not run earn 0")
    exercise.notes = notes
    if void:
        exercise.status = VOIDED
        exercise.reasons = void + exercise.reasons
        exercise.log_tail = run.stderr_tail[-1500:]
        for result in exercise.checks:
            if result.passed:
                result.message = "passed, but the exercise's points are voided (see above)"
    else:
        for check, result in zip(checks, exercise.checks):
            result.points = check.points if result.passed else 0.0
    exercise.points = min(sum(result.points for result in exercise.checks), exercise.max_points)
    grader_problem = _grader_problem(run)
    if grader_problem:
        exercise.status, exercise.points, exercise.reasons = ERROR, 0.0, [grader_problem]
        exercise.log_tail = (run.stderr_tail + run.stdout_tail)[-1500:]
    return exercise


def _grader_problem(run: RunResult) -> str | None:
    """A failure on the instructor's side: the plugin never started, or the checks did not collect."""
    if not run.events and run.killed_for is None:
        return f"the grader could not start the checks (exit code {run.returncode}); see the log"
    errors = [str(event.get("message", ""))[:1500] for event in run.events if event["event"] == "collect_error"]
    if errors:
        return "the instructor's checks could not be collected: " + errors[0]
    return None


def _termination_reasons(run: RunResult, limits: Limits, finished) -> list[str]:
    during = _during(run.last_started)
    if run.killed_for == "timeout":
        return [f"timed out after {limits.timeout:g} s{during}; the process was stopped"]
    if run.killed_for == "memory":
        return [f"used more than {limits.memory_mb} MB of memory{during}; the process was stopped"]
    if run.killed_for == "output":
        return [f"printed more than {limits.output_kb} KB of output{during}; the process was stopped"]
    if run.killed_for == "disk":
        return [f"wrote more than {limits.disk_mb} MB (or {DISK_ENTRY_LIMIT} files) to its folder{during}; "
                "the process was stopped"]
    if finished is None:
        code = run.returncode
        if code in (-signal.SIGSYS, 128 + signal.SIGSYS):  # killed by the filter of autograder.confine
            return [f"tried to start a process or to trace one{during}, which grading does not allow "
                    "(a fork bomb ends here); the process was stopped"]
        if code is not None and code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = str(-code)
            return [f"the test process was killed by signal {name}{during}"]
        return [f"the test process ended abruptly (exit code {code}){during}: "
                "os._exit(), a crash, or exiting from a background thread"]
    return []
