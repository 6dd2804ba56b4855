"""Attacks on the real grader in its default sandbox (bubblewrap): each submission of exercise 1 earns
full marks only if its attack works (tests/grader/fixtures/attacks). Each must earn 0 for that exercise
with the reason in the report, while an honest classmate in the same batch keeps full marks.

Most attacks pass the static scan, as they would in a real class; the two that need ``ctypes`` (past the
audit hook) run with the scan turned off, to show that the sandbox stops them on its own.
"""
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from grader_support import FIXTURES, REPO_ROOT, require_bwrap

from autograder.grade import GradeOptions, Grader
from autograder.isolation import Limits
from autograder.progress import QUIET, Progress

ATTACKS = FIXTURES / "attacks"
EXERCISE = "ex01_least_squares"
SOLUTION = REPO_ROOT / "solutions" / f"{EXERCISE}.py"
LIMITS = Limits(timeout=15, memory_mb=1500, output_kb=256, disk_mb=200)
SECRET = "COURSE_SECRET_TOKEN"
BATCH = ("solutions_by_path", "classmate", "secrets", "network", "disk", "sleep")


@pytest.fixture(scope="module")
def solution_server():
    """A TCP server on 127.0.0.1 (a free port) that sends the reference solution to whoever connects."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop, served = threading.Event(), []

    def serve():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            with connection:
                connection.sendall(SOLUTION.read_bytes())
            served.append(True)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], served
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, solution_server):
    """One ``python -m autograder batch`` (default sandbox) of an honest student and six attacks, run with a
    fake HOME holding an SSH key and a secret in the grader's environment."""
    require_bwrap()
    root = tmp_path_factory.mktemp("attacks")
    submissions = root / "submissions"
    (submissions / "alice" / "exercises").mkdir(parents=True)
    shutil.copyfile(SOLUTION, submissions / "alice" / "exercises" / f"{EXERCISE}.py")
    for attack in BATCH:
        shutil.copytree(ATTACKS / attack, submissions / attack)
    network = submissions / "network" / "exercises" / f"{EXERCISE}.py"
    network.write_text(network.read_text().replace("PORT = 0", f"PORT = {solution_server[0]}"))
    home = root / "home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("-----BEGIN FAKE PRIVATE KEY-----\n")
    environment = {**os.environ, "HOME": str(home), SECRET: "s3cret"}
    command = [sys.executable, "-m", "autograder", "batch", str(submissions), "--out", str(root / "out"),
               "-e", EXERCISE, "-s", "2", "--timeout", str(LIMITS.timeout), "--memory-mb", str(LIMITS.memory_mb),
               "--disk-mb", str(LIMITS.disk_mb), "--jax-cache", str(root / "jax"),
               "--catalog-cache", str(root / "catalog")]
    done = subprocess.run(command, cwd=REPO_ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(root / "out" / "grades.csv", newline="") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    reports = {name: json.loads((root / "out" / "reports" / f"{name}.json").read_text()) for name in rows}
    return rows, reports


def exercise(reports, student) -> dict:
    return reports[student]["exercises"][0]


def test_the_honest_student_keeps_full_marks_in_the_sandbox(batch):
    rows, reports = batch
    assert rows["alice"]["points"] == rows["alice"]["max_points"] == "7"
    assert reports["alice"]["grader"]["sandbox"] == "bwrap" and reports["alice"]["warnings"] == []


@pytest.mark.parametrize("attack, why", [
    ("solutions_by_path", "raised KeyError"),   # found no solutions/ to run
    ("classmate", "raised KeyError"),           # found no classmate's module
    ("secrets", "found no secret"),
    ("network", "raised KeyError"),             # could not connect
])
def test_stealing_answers_earns_nothing(batch, attack, why):
    rows, reports = batch
    assert rows[attack]["points"] == "0"
    messages = " ".join(check["message"] for check in exercise(reports, attack)["checks"])
    assert why in messages


def test_the_sandbox_has_no_network(batch, solution_server):
    _, served = solution_server
    assert served == []  # nothing inside the sandbox ever reached the test's server


def test_filling_the_disk_is_stopped_and_said(batch):
    rows, reports = batch
    assert rows["disk"]["points"] == "0" and exercise(reports, "disk")["status"] == "voided"
    assert f"wrote more than {LIMITS.disk_mb} MB" in rows["disk"]["reasons"]
    assert not list(Path("/tmp").glob("fill*.bin"))  # /tmp of the sandbox was its own


def test_a_long_sleep_times_out(batch):
    rows, reports = batch
    assert rows["sleep"]["points"] == "0"
    assert f"timed out after {LIMITS.timeout:g} s" in rows["sleep"]["reasons"]


@pytest.fixture(scope="module")
def unscanned(tmp_path_factory):
    """A grader of exercise 1 in the default sandbox with the static scan off (a test hook)."""
    require_bwrap()
    root = tmp_path_factory.mktemp("unscanned")
    options = GradeOptions(limits=LIMITS, jobs=1, exercises=(EXERCISE,), jax_cache=root / "jax",
                           catalog_cache=root / "catalog", static_scan=False)
    with Grader(REPO_ROOT, options, Progress(QUIET)) as grader:
        yield grader


def test_a_fork_bomb_ends_at_its_first_fork(unscanned):
    graded = unscanned.grade(ATTACKS / "fork_bomb").exercises[0]
    assert graded.points == 0 and graded.status == "voided"
    assert "tried to start a process" in " ".join(graded.reasons)


def test_writing_outside_the_sandbox_cannot_plant_checks(unscanned):
    pristine = unscanned.checks / "exercises" / f"test_{EXERCISE}.py"
    before = pristine.read_bytes()
    first = unscanned.grade(ATTACKS / "writes_outside").exercises[0]
    second = unscanned.grade(ATTACKS / "writes_outside").exercises[0]  # would pass with planted checks
    assert pristine.read_bytes() == before
    assert first.points == second.points == 0
    assert "not implemented" in second.checks[0].message  # its own answers, not planted checks


def test_a_run_cannot_plant_a_program_in_the_shared_jax_cache(unscanned):
    """The runs read the shared cache at its own path (JAX's cache keys contain it) but cannot write to it."""
    planted = unscanned.jax_cache / "jit_planted-" f"{'0' * 64}-cache"
    graded = unscanned.grade(ATTACKS / "plants_cache").exercises[0]
    assert graded.points == 0
    assert unscanned.jax_cache.is_dir() and not planted.exists()
