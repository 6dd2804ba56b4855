"""Batch grading on a real Dask cluster on this machine (a scheduler and two single-threaded workers, each a
process started here): the same gradebook as one machine, also when a worker is killed mid-batch or a
submission keeps killing the workers that grade it, and an interrupted batch resumes without grading a
finished submission again."""
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import cloudpickle
import pytest
from distributed import Client, WorkerPlugin
from grader_support import COURSE, FAST_LIMITS, REPO_ROOT, SUBMISSIONS, default_sandbox

from autograder import __main__ as command_line
from autograder.batch import grade_folder
from autograder.cluster import ALLOWED_FAILURES, parse
from autograder.grade import GradeOptions
from autograder.journal import JOURNAL_NAME, Journal, batch_key, checks_digest
from autograder.progress import QUIET, Progress

SOME = ("ex01_basics", "ex12_patches_pytest")
DASK = str(Path(sys.executable).parent / "dask")
BATCH_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process's session (a worker closes its grader), then SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory):
    """``dask scheduler`` and two ``dask worker --nthreads 1`` on 127.0.0.1 (free ports), stopped at the end.

    The scheduler lets a task kill as many workers as ``local:N`` does (``ALLOWED_FAILURES``), so that a
    submission that keeps killing workers ends after a known number of deaths."""
    logs = tmp_path_factory.mktemp("dask-logs")
    address = f"tcp://127.0.0.1:{free_port()}"
    processes = []
    environment = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": str(ALLOWED_FAILURES)}

    def start(name: str, *argv: str) -> None:
        with open(logs / f"{name}.log", "wb") as log:
            processes.append(subprocess.Popen([DASK, *argv], stdout=log, stderr=subprocess.STDOUT,
                                              start_new_session=True, cwd=REPO_ROOT, env=environment))

    try:
        start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
              "--no-dashboard")
        for name in ("w1", "w2"):
            start(name, "worker", address, "--name", name, "--nthreads", "1", "--host", "127.0.0.1",
                  "--worker-port", str(free_port()), "--nanny-port", str(free_port()), "--no-dashboard",
                  "--death-timeout", "60")
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """Seven entries: the solutions, the stubs, a hostile one (one level down), an empty folder, a syntax
    error, a file and a folder whose exercises/ is a file."""
    root = tmp_path_factory.mktemp("class")
    submissions = root / "submissions"
    shutil.copytree(COURSE / "solutions", submissions / "alice" / "exercises")
    shutil.copytree(SUBMISSIONS / "hostile" / "exercises", submissions / "bob" / "bob-repo" / "exercises")
    (submissions / "carol").mkdir()
    (submissions / "dave.zip").write_bytes(b"PK")
    (submissions / "erin").mkdir()
    (submissions / "erin" / "exercises").write_text("a file, not a folder")
    shutil.copytree(COURSE / "exercises", submissions / "stubs" / "exercises")
    (submissions / "syntax" / "exercises").mkdir(parents=True)
    (submissions / "syntax" / "exercises" / "ex01_basics.py").write_text("def answer(:\n")
    return root


@pytest.fixture(scope="module")
def options(classroom):
    return GradeOptions(limits=FAST_LIMITS, jobs=1, exercises=SOME, jax_cache=classroom / "cache",
                        catalog_cache=classroom / "catalog", sandbox=default_sandbox())


@pytest.fixture(scope="module")
def single_machine(classroom, options):
    """The gradebook of the single-machine batch, to compare the cluster's with."""
    return read_rows(grade_folder(classroom / "submissions", classroom / "single", instructor_root=COURSE,
                                  options=options, progress=Progress(QUIET)))


def read_rows(csv_path: Path) -> dict[str, dict]:
    with open(csv_path, newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


AS_FROM_A_TERMINAL = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                      "runpy.run_module('autograder', run_name='__main__', alter_sys=True)")
"""``python -m autograder`` as a terminal starts it, where Ctrl-C (SIGINT) raises KeyboardInterrupt: tests run as
a background job inherit SIGINT ignored, and Python then installs no handler of its own."""


def batch_command(submissions: Path, options: GradeOptions, address: str, out: Path) -> list[str]:
    """``python -m autograder batch`` with the same options as ``options``, on the cluster at ``address``."""
    limits = options.limits
    return [sys.executable, "-c", AS_FROM_A_TERMINAL, "batch", str(submissions), "--out", str(out),
            "--cluster", address, "--instructor-root", str(COURSE), *[f"-e{name}" for name in SOME],
            "-j", "1", "--timeout", str(limits.timeout), "--memory-mb", str(limits.memory_mb),
            "--output-kb", str(limits.output_kb), "--disk-mb", str(limits.disk_mb),
            "--jax-cache", str(options.jax_cache), "--catalog-cache", str(options.catalog_cache),
            "--sandbox", options.sandbox]


def start_batch(classroom, options, address, out: Path, submissions: Path | None = None) -> subprocess.Popen:
    """The batch of ``submissions`` (default: the classroom's) in the background, its output in ``out``.log."""
    log = open(out.parent / f"{out.name}.log", "wb")  # noqa: SIM115 - closed with the process by the test
    command = batch_command(submissions or classroom / "submissions", options, address, out)
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_for_lines(journal: Journal, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + BATCH_TIMEOUT
    while len(journal.entries()) < count:
        assert process.poll() is None, f"the batch ended before {count} result(s)"
        assert time.monotonic() < deadline, f"no {count} result(s) in {BATCH_TIMEOUT} s"
        time.sleep(0.1)


def finish(process: subprocess.Popen, out: Path) -> int:
    try:
        return process.wait(timeout=BATCH_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
        print((out.parent / f"{out.name}.log").read_text(errors="replace")[-3000:])


def test_the_cluster_gives_the_single_machine_gradebook(scheduler, classroom, options, single_machine):
    out = classroom / "cluster"
    rows = read_rows(grade_folder(classroom / "submissions", out, instructor_root=COURSE, options=options,
                                  progress=Progress(QUIET), cluster=scheduler))
    assert rows == single_machine
    assert [row["status"] for row in rows.values()] == ["graded", "graded", "empty", "empty", "empty", "graded",
                                                        "graded"]
    with Client(scheduler) as client:
        workers = set(client.scheduler_info()["workers"])
    assert {entry["worker"] for entry in Journal(out / JOURNAL_NAME).entries()} <= workers
    for student in rows:
        assert report_summary(out, student) == report_summary(classroom / "single", student)


def report_summary(out: Path, student: str) -> dict:
    """What a student's JSON report says, without times and paths of the machine that graded it."""
    report = json.loads((out / "reports" / f"{student}.json").read_text())
    return {"submission": report["submission"], "ignored_files": report["ignored_files"],
            "exercises": [(exercise["name"], exercise["status"], exercise["points"], exercise["reasons"])
                          for exercise in report["exercises"]]}


def test_a_worker_killed_mid_batch_loses_nothing(scheduler, classroom, options, single_machine):
    out = classroom / "killed"
    journal = Journal(out / JOURNAL_NAME)
    process = start_batch(classroom, options, scheduler, out)
    wait_for_lines(journal, 1, process)
    with Client(scheduler) as client:
        busy = [address for address, tasks in client.processing().items() if tasks]
        assert busy, "no worker was grading when the first result arrived"
        victim = client.run(os.getpid, workers=busy[:1])[busy[0]]
    os.kill(victim, signal.SIGKILL)
    assert finish(process, out) == 0
    assert read_rows(out / "grades.csv") == single_machine
    assert sorted(entry["student"] for entry in journal.entries()) == sorted(single_machine)
    with pytest.raises(ProcessLookupError):
        os.kill(victim, 0)


def test_an_interrupted_batch_resumes_with_what_is_missing(scheduler, classroom, options, single_machine):
    out = classroom / "resumed"
    journal = Journal(out / JOURNAL_NAME)
    process = start_batch(classroom, options, scheduler, out)
    wait_for_lines(journal, 1, process)
    process.send_signal(signal.SIGINT)
    assert finish(process, out) == 130
    first = [entry["student"] for entry in journal.entries()]
    assert 1 <= len(first) < len(single_machine)
    assert "run the same command again" in (out.parent / "resumed.log").read_text()

    process = start_batch(classroom, options, scheduler, out)
    assert finish(process, out) == 0
    graded = [entry["student"] for entry in journal.entries()]
    assert sorted(graded) == sorted(single_machine), "a student was graded twice, or not at all"
    assert graded[:len(first)] == first
    assert f"{len(first)} already graded" in (out.parent / "resumed.log").read_text()
    assert read_rows(out / "grades.csv") == single_machine


def test_a_second_run_grades_only_a_resubmission(classroom, options, single_machine, tmp_path):
    """On one machine: a second run over the same work grades nothing; a re-submission is graded again."""
    out = tmp_path / "out"
    shutil.copytree(classroom / "single", out)
    submissions = tmp_path / "submissions"
    shutil.copytree(classroom / "submissions", submissions)
    grade_folder(submissions, out, instructor_root=COURSE, options=options, progress=Progress(QUIET))
    assert len(Journal(out / JOURNAL_NAME).entries()) == len(single_machine)
    (submissions / "syntax" / "exercises" / "ex01_basics.py").write_text("def answer():\n    return 1\n")
    rows = read_rows(grade_folder(submissions, out, instructor_root=COURSE, options=options,
                                  progress=Progress(QUIET)))
    assert [entry["student"] for entry in Journal(out / JOURNAL_NAME).entries()][len(single_machine):] == ["syntax"]
    assert "does not parse" not in rows["syntax"]["reasons"]


def test_changed_checks_change_every_key(tmp_path):
    shutil.copytree(COURSE / "tests", tmp_path / "tests")
    shutil.copy(COURSE / "pyproject.toml", tmp_path / "pyproject.toml")
    before = checks_digest(tmp_path)
    assert checks_digest(COURSE) == before
    expected = tmp_path / "tests" / "expected" / "ex02_wrong.toml"
    expected.write_text(expected.read_text() + "\n# changed\n")
    assert checks_digest(tmp_path) != before
    assert batch_key(before, list(SOME), FAST_LIMITS) != batch_key(before, ["ex01_basics"], FAST_LIMITS)


def test_a_bad_cluster_address_names_the_accepted_forms(capsys, tmp_path):
    for spec in ("foo", "local:0", "localhost:8786"):
        with pytest.raises(ValueError, match=r"tcp://HOST:PORT .* or local:N"):
            parse(spec)
    assert parse("local:3") == ("local", 3) and parse("tcp://10.0.0.5:8786") == ("scheduler", "tcp://10.0.0.5:8786")
    assert command_line.main(["batch", str(tmp_path), "--cluster", "foo"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


class KillOnStart(WorkerPlugin):
    """What kills workers in practice (the OOM killer, a crashing grader), in a test: the worker's process
    exits at once when a grading of ``student`` starts on it, after appending its PID to ``pids``.

    The test registers it on the scheduler, so a worker the nanny restarts gets it again; workers cannot
    import this module, so the test sends it by value (``cloudpickle.register_pickle_by_value``)."""

    name = "kill-on-start"

    def __init__(self, student: str, pids: str):
        self.prefix, self.pids = f"grade-{student}-", pids

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing" and str(key).startswith(self.prefix):
            with open(self.pids, "a") as handle:
                handle.write(f"{os.getpid()}\n")
            os._exit(1)


@contextmanager
def killing(address: str, student: str, pids: Path) -> Iterator[None]:
    """``KillOnStart`` on every worker of the scheduler at ``address`` while the block runs; afterwards the
    plugin is gone and both workers are up again, for the module's other tests."""
    module = sys.modules[__name__]
    cloudpickle.register_pickle_by_value(module)
    try:
        with Client(address, timeout="60s") as client:
            client.register_plugin(KillOnStart(student, str(pids)))
            try:
                yield
            finally:
                client.unregister_worker_plugin(KillOnStart.name)
                client.wait_for_workers(2, timeout=120)
    finally:
        cloudpickle.unregister_pickle_by_value(module)


def test_a_submission_that_keeps_killing_workers_gets_an_error_row(scheduler, classroom, options, single_machine,
                                                                    tmp_path):
    """The killer's grading is retried on another worker until ``ALLOWED_FAILURES`` + 1 workers died; then
    it gets an ``error`` row saying why, the others their single-machine rows, and the batch exits 0.

    The killer (a copy of the solutions) comes third of five, so that submissions wait behind it: a worker's
    death counts against every task on it, and none of theirs may end as a KilledWorker too."""
    others = ("alice", "carol", "stubs", "syntax")
    submissions = tmp_path / "submissions"
    for student in others:
        shutil.copytree(classroom / "submissions" / student, submissions / student)
    shutil.copytree(classroom / "submissions" / "alice", submissions / "killer")
    out, pids = tmp_path / "out", tmp_path / "killed.pids"
    with killing(scheduler, "killer", pids):
        assert finish(start_batch(classroom, options, scheduler, out, submissions), out) == 0
    rows = read_rows(out / "grades.csv")
    assert (rows["killer"]["status"], rows["killer"]["points"]) == ("error", "0")
    assert "KilledWorker" in rows["killer"]["reasons"] and "died" in rows["killer"]["reasons"]
    assert {student: rows[student] for student in others} == {student: single_machine[student] for student in others}
    killed = [int(line) for line in pids.read_text().split()]
    assert len(set(killed)) == len(killed) == ALLOWED_FAILURES + 1, f"worker PIDs killed: {killed}"
    for pid in killed:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
