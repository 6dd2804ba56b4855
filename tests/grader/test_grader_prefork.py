"""Runs forked from a prefork server: each child takes on its own run, and a lost server is replaced."""
import json
import os
import sys

from grader_support import COURSE, FAST_LIMITS, REPO_ROOT

from autograder.grade import GradeOptions, Grader
from autograder.prefork import Preforker
from autograder.progress import QUIET, Progress

PROBE = '''
import json, os, sys

def test_record_the_process():
    record = {"cwd": os.getcwd(), "env": dict(os.environ), "sid": os.getsid(0), "pid": os.getpid(),
              "stdin": sys.stdin.read()}
    with open("probe.json", "w") as handle:
        json.dump(record, handle)
'''


def test_a_forked_child_has_the_runs_folder_environment_session_and_files(tmp_path):
    server_env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT), "SERVER_SECRET": "do not inherit"}
    run = tmp_path / "run"
    run.mkdir()
    (run / "test_probe.py").write_text(PROBE)
    server = Preforker(server_env, str(tmp_path))
    try:
        child = server.start(["test_probe.py", "-q", "-s", "-p", "no:cacheprovider"], str(run),
                             {"PATH": os.environ["PATH"], "RUN_ONLY": "yes"}, str(run / "out.log"),
                             str(run / "err.log"))
        assert child.wait(timeout=120) == 0, (run / "out.log").read_text() + (run / "err.log").read_text()
    finally:
        server.close()
    record = json.loads((run / "probe.json").read_text())
    assert record["cwd"] == str(run)
    assert record["env"]["RUN_ONLY"] == "yes" and "SERVER_SECRET" not in record["env"]
    assert record["sid"] == record["pid"] == child.pid  # leads its own session: the grader can kill the group
    assert record["stdin"] == ""
    assert "1 passed" in (run / "out.log").read_text()


def test_a_failing_run_reports_its_exit_status(tmp_path):
    (tmp_path / "test_fails.py").write_text("def test_no():\n    assert False\n")
    server = Preforker({"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO_ROOT)}, str(tmp_path))
    try:
        child = server.start(["test_fails.py", "-q", "-p", "no:cacheprovider"], str(tmp_path),
                             {"PATH": os.environ["PATH"]}, str(tmp_path / "out.log"), str(tmp_path / "err.log"))
        assert child.wait(timeout=120) == 1
    finally:
        server.close()


def test_a_lost_server_is_replaced_and_grading_goes_on(tmp_path):
    options = GradeOptions(limits=FAST_LIMITS, jobs=1, exercises=("ex01_basics",), jax_cache=tmp_path / "jax",
                           catalog_cache=tmp_path / "catalog")
    with Grader(COURSE, options, Progress(QUIET)) as grader:
        first = grader.grade(COURSE / "solutions")
        assert grader.prefork_servers == 1
        for server in grader._launchers:
            server.process.kill()
            server.process.wait()
        second = grader.grade(COURSE / "solutions")
        assert grader.prefork_servers == 2
    assert first.points == second.points == first.max_points > 0, sys.stderr
