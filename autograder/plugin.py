"""pytest plugin for a grading subprocess: each check's outcome, points and message as JSON lines.

Loaded with ``-p autograder.plugin``; inactive unless ``--grader-events FILE`` is given. The events file
is opened before any student code runs, and the grader reads it while the process runs:

    {"event": "collected", "nodeid": ..., "points": 2.0}      one per check (points from @pytest.mark.points)
    {"event": "collect_error", "nodeid": ..., "message": ...}
    {"event": "start", "nodeid": ...}                          a check started (used for timeout reports)
    {"event": "result", "nodeid": ..., "outcome": "passed" | "failed" | "error" | "skipped", "message": ...}
    {"event": "tamper", "nodeid": ..., "detail": "numpyro.infer.MCMC was replaced"}
    {"event": "violation", "nodeid": ..., "kind": "write", "detail": ..., "by_submission": true}
    {"event": "finish", "exitstatus": 1}

With ``--grader-collect`` only the collection events are written (the grader's trusted points table).
Otherwise the plugin installs the runtime guards of ``autograder.guard`` at start-up.
"""
from __future__ import annotations

import json
import os
import sys
import time

import pytest

MESSAGE_LIMIT = 4000
EVENTS_OPTION = "--grader-events"


def pytest_addoption(parser):
    group = parser.getgroup("autograder", "autograder (inside a grading subprocess)")
    group.addoption(EVENTS_OPTION, default=None, metavar="FILE",
                    help="write check outcomes as JSON lines to FILE (turns the grader plugin on)")
    group.addoption("--grader-collect", action="store_true",
                    help="only record the collected checks and their points")
    group.addoption("--grader-sandbox", default=None, metavar="DIR",
                    help="the only folder the submission may write to")
    group.addoption("--grader-student-dir", default=None, metavar="DIR",
                    help="folder of the submission's modules (frames from there are blamed)")
    group.addoption("--grader-allow-write", action="append", default=[], metavar="DIR",
                    help="another folder that may be written to (e.g. the JAX cache)")


def pytest_configure(config):
    path = config.getoption(EVENTS_OPTION)
    if not path:
        return
    recorder = Recorder(open(path, "a", buffering=1, encoding="utf-8"),
                        collect_only=config.getoption("--grader-collect"))
    if not recorder.collect_only:
        recorder.start_guards(config)
    config.pluginmanager.register(recorder, "autograder-recorder")


def points_of(item) -> float:
    """Points declared with ``@pytest.mark.points(n)`` on the check (0 when absent or malformed)."""
    marker = item.get_closest_marker("points")
    if marker is None or not marker.args:
        return 0.0
    value = marker.args[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        return 0.0
    return float(value)


def _clip(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + " [...]"


class Recorder:
    """Writes the events; one instance per grading subprocess."""

    def __init__(self, stream, collect_only: bool):
        self.stream = stream
        self.collect_only = collect_only
        self.snapshot = None
        self.guard = None
        self.student_dir = None
        self.phases: dict[str, dict] = {}

    def emit(self, **event) -> None:
        self.stream.write(json.dumps(event, default=str) + "\n")

    # -- guards ----------------------------------------------------------------------------------
    def start_guards(self, config) -> None:
        from autograder import guard

        sandbox = config.getoption("--grader-sandbox")
        self.student_dir = config.getoption("--grader-student-dir")
        guard.import_guarded_modules()
        self.snapshot = guard.LibrarySnapshot()
        if sandbox and self.student_dir:
            self.guard = guard.WriteGuard(sandbox, self.student_dir, config.getoption("--grader-allow-write"))
            self.guard.install()

    def check_guards(self, nodeid: str) -> None:
        if self.snapshot is not None:
            for detail in self.snapshot.changes():
                self.emit(event="tamper", nodeid=nodeid, detail=detail)
        if self.guard is not None:
            for violation in self.guard.drain():
                self.emit(event="violation", nodeid=nodeid, kind=violation.kind, detail=violation.detail,
                          by_submission=violation.by_submission, location=violation.location)

    # -- collection ------------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, session, config, items):
        for item in items:
            self.emit(event="collected", nodeid=item.nodeid, name=item.name, points=points_of(item))
        if self.collect_only:
            items[:] = []
            return
        test_modules = tuple(name for name, module in list(sys.modules.items())
                             if self._is_check_module(getattr(module, "__file__", None), config))
        self.check_guards("<collection>")
        self.snapshot.extend(test_modules)

    def _is_check_module(self, filename, config) -> bool:
        """A module of the instructor's checks (under the rootdir, not the submission's)."""
        if not filename:
            return False
        path = os.path.realpath(filename)
        inside_root = path.startswith(os.path.realpath(config.rootpath) + os.sep)
        return inside_root and not (self.student_dir and path.startswith(self.student_dir + os.sep))

    def pytest_collectreport(self, report):
        if report.failed:
            self.emit(event="collect_error", nodeid=report.nodeid, message=_clip(str(report.longrepr)))

    # -- running ---------------------------------------------------------------------------------
    def pytest_runtest_logstart(self, nodeid, location):
        self.phases[nodeid] = {"started": time.monotonic()}
        self.emit(event="start", nodeid=nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.excinfo is not None and not report.passed:
            report.grader_message = self.describe(call.excinfo)
        return report

    def pytest_runtest_logreport(self, report):
        phases = self.phases.setdefault(report.nodeid, {"started": time.monotonic()})
        phases[report.when] = (report.outcome, getattr(report, "grader_message", ""))
        if report.when == "teardown":
            self.check_guards(report.nodeid)
            outcome, message = combine(phases)
            self.emit(event="result", nodeid=report.nodeid, outcome=outcome, message=message,
                      duration=round(time.monotonic() - phases["started"], 3))

    def pytest_sessionfinish(self, session, exitstatus):
        if not self.collect_only:
            self.check_guards("<end of session>")
        self.emit(event="finish", exitstatus=int(exitstatus))
        self.stream.flush()

    def describe(self, excinfo) -> str:
        """A short message: the check's own feedback, or the exception and where the submission raised it."""
        error = excinfo.value
        if isinstance(error, SystemExit):
            return f"the submission called sys.exit({error.code!r}); do not exit from exercise code"
        if excinfo.errisinstance((pytest.fail.Exception, pytest.skip.Exception)):
            return _clip(str(getattr(error, "msg", error)))
        if isinstance(error, AssertionError):
            if not str(error) and "_pytest" in str(excinfo.traceback[-1].path):
                return "pytest could not set this check up after an earlier error in the same exercise"
            return _clip(str(error) or "assertion failed")
        where = ""
        if self.student_dir:
            for entry in reversed(excinfo.traceback):
                if str(entry.path).startswith(self.student_dir):
                    where = f" (line {entry.lineno + 1} of {os.path.basename(str(entry.path))})"
                    break
        return _clip(f"{excinfo.typename}{where}: {error}")


def combine(phases: dict) -> tuple[str, str]:
    """One outcome for a check from its setup, call and teardown reports."""
    setup = phases.get("setup", ("failed", ""))
    call = phases.get("call")
    teardown = phases.get("teardown", ("passed", ""))
    if setup[0] == "failed":
        return "error", setup[1]
    if setup[0] == "skipped":
        return "skipped", setup[1]
    if call is None:
        return "error", "the check did not run"
    if call[0] != "passed":
        return call
    if teardown[0] == "failed":
        return "error", teardown[1]
    return "passed", ""
