"""Batch grading on a Dask cluster: an existing scheduler (``tcp://HOST:PORT``) or ``local:N`` worker
processes on this machine.

Each worker keeps one ``Grader`` (checks collected once, prefork servers, JAX cache, sandbox) for every
submission it grades, through a worker plugin. Submissions travel as their modules' bytes
(``autograder.packing``), never as paths; the checks do not travel: each worker reads them from the
course tree at ``root`` on its own machine and refuses to grade when they differ from the instructor's.
A worker that dies mid-submission has it retried elsewhere by the scheduler; one that kills more than
``allowed-failures`` workers is recorded as an ``error`` row with the reason, and the batch goes on. The
scheduler counts a worker's death against every task on it, so only as many submissions as the cluster
has threads are in flight: none waits on a worker behind one that kills it.
"""
from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from distributed import Client, Future, LocalCluster, WorkerPlugin, as_completed, get_worker
from distributed.scheduler import KilledWorker

from autograder.batch import error_row, timed
from autograder.grade import GradeOptions, Grader
from autograder.journal import checks_digest
from autograder.packing import Packed
from autograder.progress import QUIET, Progress

ACCEPTED = "tcp://HOST:PORT (an existing Dask scheduler) or local:N (N worker processes on this machine)"
PLUGIN_NAME = "autograder"
ALLOWED_FAILURES = 2
"""Workers a submission may kill before it gets an error row (the scheduler's ``allowed-failures``, for
``local:N``; an existing scheduler uses its own setting, 3 by default)."""
CONNECT_TIMEOUT = "30s"
SCHEDULER = re.compile(r"^(tcp|tls|ucx|inproc)://\S+$")
LOCAL = re.compile(r"^local:([1-9][0-9]*)$")


class ChecksMismatch(RuntimeError):
    """A worker's course tree holds other checks than the instructor's."""


def parse(spec: str) -> tuple[str, str | int]:
    """``("local", N)`` or ``("scheduler", address)``; a ValueError naming the accepted forms otherwise."""
    if match := LOCAL.match(spec):
        return "local", int(match.group(1))
    if SCHEDULER.match(spec):
        return "scheduler", spec
    raise ValueError(f"--cluster {spec!r} is not a cluster: give {ACCEPTED}")


@contextmanager
def connect(spec: str) -> Iterator[Client]:
    """A client of the cluster ``spec`` (a ``LocalCluster`` is started, and stopped at the end)."""
    kind, value = parse(spec)
    if kind == "scheduler":
        with Client(value, timeout=CONNECT_TIMEOUT) as client:
            yield client
        return
    import dask

    with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
        with LocalCluster(n_workers=value, threads_per_worker=1, processes=True, dashboard_address=None) as local:
            with Client(local) as client:
                yield client


class GraderPlugin(WorkerPlugin):
    """Gives a worker one grader over the course tree at ``root`` (started at its first submission, closed
    with the worker), after checking that the tree's checks have the digest ``checks``."""

    def __init__(self, root: str, options: GradeOptions, checks: str):
        self.root, self.options, self.checks = root, options, checks

    def setup(self, worker) -> None:
        self._grader: Grader | None = None
        self._lock = threading.Lock()

    def grader(self) -> Grader:
        with self._lock:
            if self._grader is None:
                found = checks_digest(Path(self.root))
                if found != self.checks:
                    raise ChecksMismatch(f"the checks under {self.root} on worker {get_worker().address} differ "
                                         "from the instructor's: put the same course tree there (--worker-root)")
                self._grader = Grader(self.root, self.options, Progress(QUIET))
        return self._grader

    def teardown(self, worker) -> None:
        if self._grader is not None:
            self._grader.close()


def grade_on_worker(packed: Packed, student: str) -> dict:
    """The task a worker runs: grade one submission with its plugin's grader."""
    worker = get_worker()
    return timed(worker.plugins[PLUGIN_NAME].grader(), packed, student, worker=worker.address)


def grade(spec: str, root: Path, options: GradeOptions, checks: str,
          packs: dict[str, Packed]) -> Iterator[tuple[str, dict]]:
    """Grade ``packs`` on the cluster ``spec`` whose workers hold the course at ``root``; yield each
    student's outcome as it arrives (an error row for a submission that kept killing workers)."""
    if not packs:
        return
    with connect(spec) as client:
        client.register_plugin(GraderPlugin(str(root), options, checks), name=PLUGIN_NAME)
        waiting, running, futures = iter(packs.items()), as_completed(), {}
        started = time.monotonic()
        top_up(client, waiting, running, futures)
        for future in running:
            student = futures.pop(future)
            outcome = outcome_of(future, student, started)
            top_up(client, waiting, running, futures)
            yield student, outcome


def top_up(client: Client, waiting: Iterator[tuple[str, Packed]], running: as_completed,
           futures: dict) -> None:
    """Submit waiting submissions until as many are in flight as the cluster has threads now (at least one).

    Why not all at once: each would wait on a worker, and when a submission kills that worker, the scheduler
    counts the death against every task there, so the ones queued behind a killer would share its
    KilledWorker. A worker that joins gets work as soon as any grading finishes."""
    slots = max(1, sum(client.nthreads().values())) - len(futures)
    for student, packed in itertools.islice(waiting, max(0, slots)):
        future = client.submit(grade_on_worker, packed, student, key=f"grade-{student}-{packed.digest[:16]}",
                               pure=False)
        futures[future] = student
        running.add(future)


def outcome_of(future: Future, student: str, started: float) -> dict:
    """A finished task's outcome, or an error row for one that failed; a lost scheduler or a worker with other
    checks stops the batch."""
    if future.status == "finished":
        return future.result()
    if future.status == "cancelled":
        raise RuntimeError("the Dask scheduler was lost; run the same command again to grade the rest")
    error = future.exception()
    if isinstance(error, ChecksMismatch):
        raise error
    return {"row": error_row(student, failure_reason(error)), "worker": "none",
            "seconds": round(time.monotonic() - started, 2)}


def failure_reason(error: BaseException) -> str:
    """Why a submission has no grade: it killed workers (KilledWorker), or the task itself failed."""
    if isinstance(error, KilledWorker):
        return f"every worker that graded it died, so the scheduler gave up on it (KilledWorker: {error})"
    return f"grader error on the cluster: {type(error).__name__}: {error}"
