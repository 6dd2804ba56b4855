"""Start grading subprocesses by forking a process that has already imported the heavy libraries.

Importing JAX, NumPyro, pandas and pytest costs about two seconds of CPU in every exercise's
subprocess, more than the checks of a warm exercise without fits. A ``Preforker`` is one server
process, started with the clean grading environment, that imports them once and then forks a child
per request. The child takes on the run's environment, working directory, session and log files and
runs ``pytest.main`` with the arguments ``python -m pytest`` would get. The server never imports or runs
submission code, so every child starts from the same pristine state. Limits, memory watch and killing work on the child's pid
and session exactly as for a subprocess (``autograder.isolation``).

Protocol, one JSON object a line: the server first says ``{"ready": true, "pidns": ...}``; the grader
writes ``{"argv", "cwd", "env", "stdout", "stderr", "confine"}``; the server answers ``{"pid": N}`` at once
and ``{"exit": N, "returncode": R}`` when that child ends. Inside a sandbox (``autograder.sandbox``) the
server runs in its own PID namespace, so the grader translates N into its own view of the process, found
only among that namespace's processes; with ``confine`` the child cannot start processes
(``autograder.confine``), and the server is not dumpable, so a child cannot write into its memory.

    python -m autograder.prefork        # the server (the grader starts it; it reads its standard input)
"""
from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import threading
import time

PRELOADED = ("numpy", "pandas", "scipy.special", "jax", "jax.numpy", "numpyro", "numpyro.infer",
             "numpyro.distributions", "numpyro.infer.reparam", "pytest",
             "autograder.plugin", "autograder.guard", "autograder.feedback", "autograder.posterior",
             "autograder.structure", "autograder.expected", "coursekit.data", "coursekit.devices",
             "coursekit.jaxcache")
"""Imported by the server before any fork. JAX only imports here: its backend (threads, devices) starts
in each child, after the child has set its own XLA flags. Matplotlib is left out: it reads its config
folder from the environment on import, and each run has its own."""
START_TIMEOUT = 120.0
PR_SET_DUMPABLE = 4


def pid_namespace(pid: int | str) -> str | None:
    """The PID namespace of a process (``pid:[4026532...]``, the same inside and outside it), or None."""
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


# -------------------------------------------------------------------------------- the server side

def preload() -> None:
    for name in PRELOADED:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - a library that fails here fails in the child, with its message
            continue


def become_run(request: dict) -> None:
    """In the forked child: take on the run's session, folder, environment and files, then run pytest."""
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    null = os.open(os.devnull, os.O_RDONLY)
    stdout = os.open(request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    stderr = os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for source, target in ((null, 0), (stdout, 1), (stderr, 2)):
        os.dup2(source, target)
    os.closerange(3, 1 << 16)
    sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 - the process's own streams
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    sys.argv = ["pytest", *request["argv"]]
    if request.get("confine"):
        from autograder import confine

        confine.install()
    import pytest

    code = 1
    try:
        code = pytest.main(request["argv"])
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(int(code))


def serve() -> None:
    """Read requests on standard input, fork a child for each, report its pid and, later, its exit status."""
    def reply(**message) -> None:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()

    preload()
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    reply(ready=True, pidns=pid_namespace("self"))
    selector = selectors.DefaultSelector()
    selector.register(0, selectors.EVENT_READ)
    children: set[int] = set()
    pending, open_input = b"", True
    while open_input or children:
        if open_input and selector.select(timeout=0.05):
            chunk = os.read(0, 65536)
            open_input = bool(chunk)
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                pid = os.fork()
                if pid == 0:
                    try:
                        become_run(json.loads(line))
                    finally:
                        os._exit(1)  # only reached when the run could not be set up
                children.add(pid)
                reply(pid=pid)
        elif not open_input:
            time.sleep(0.05)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                reply(exit=pid, returncode=os.waitstatus_to_exitcode(status))


# -------------------------------------------------------------------------------- the grader side

class PreforkError(RuntimeError):
    """The server could not start a child (it is gone or answered nonsense)."""


class ForkedProcess:
    """A child of a ``Preforker``, with the part of ``subprocess.Popen`` the grader uses: ``pid`` is the
    child as the grader sees it, ``inner`` as its server does (they differ inside a PID namespace)."""

    def __init__(self, server: "Preforker", pid: int, inner: int | None = None):
        self.server, self.pid, self.returncode = server, pid, None
        self.inner = pid if inner is None else inner

    def poll(self) -> int | None:
        if self.returncode is None:
            self.server.collect_exits(timeout=0)
            self.returncode = self.server.exits.pop(self.inner, None)
        if self.returncode is None and not self.server.alive() and not _exists(self.pid):
            self.returncode = -9  # the server died and cannot report; the child has ended all the same
        return self.returncode

    def wait(self, timeout: float = 30.0) -> int:
        """The exit status; -9 (killed) if the server does not report it within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                self.returncode = -9
                break
            self.server.collect_exits(timeout=0.05)
        return self.returncode


def outer_pid(inner: int, namespace: str) -> int | None:
    """The pid, as seen here, of the process ``inner`` of PID namespace ``namespace`` (None if none is)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or pid_namespace(entry) != namespace:
            continue
        try:
            with open(f"/proc/{entry}/status", encoding="utf-8") as handle:
                line = next((line for line in handle if line.startswith("NSpid:")), "")
        except OSError:
            continue
        if line.split()[-1:] == [str(inner)]:
            return int(entry)
    return None


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Preforker:
    """One server process; ``start`` forks a run from it. One run at a time per instance.

    ``wrap`` puts the server's command into a sandbox (``autograder.sandbox``); its children are then
    confined too (no new processes).
    """

    def __init__(self, env: dict[str, str], cwd: str, wrap=None):
        command = [sys.executable, "-m", "autograder.prefork"]
        self.confine = wrap is not None
        self.process = subprocess.Popen(wrap(command) if wrap else command, env=env, cwd=cwd,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        self.lock = threading.Lock()
        self.exits: dict[int, int] = {}
        self.buffer = b""
        ready = self._read_message(START_TIMEOUT)
        if not ready or not ready.get("ready"):
            self.close()
            raise PreforkError("the prefork server did not start")
        self.namespace = ready.get("pidns")
        self.own_namespace = self.namespace is None or self.namespace == pid_namespace("self")

    def alive(self) -> bool:
        return self.process.poll() is None

    def start(self, argv: list[str], cwd: str, env: dict[str, str], stdout: str, stderr: str) -> ForkedProcess:
        """Fork a child that runs ``python -m pytest *argv`` in ``cwd`` with ``env`` and these log files."""
        request = {"argv": argv, "cwd": cwd, "env": env, "stdout": stdout, "stderr": stderr,
                   "confine": self.confine}
        with self.lock:
            try:
                self.process.stdin.write((json.dumps(request) + "\n").encode())
                self.process.stdin.flush()
            except OSError as error:
                raise PreforkError(f"the prefork server is gone: {error}") from error
            while True:
                message = self._read_message(START_TIMEOUT)
                if message is None:
                    raise PreforkError("the prefork server did not fork the run")
                if "pid" in message:
                    return self._child(int(message["pid"]))
                self._note_exit(message)

    def collect_exits(self, timeout: float) -> None:
        """Record every exit status the server has reported so far (waiting up to ``timeout``)."""
        with self.lock:
            while (message := self._read_message(timeout)) is not None:
                self._note_exit(message)
                timeout = 0

    def close(self) -> None:
        try:
            self.process.stdin.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _child(self, inner: int) -> ForkedProcess:
        """The forked child, found in the server's PID namespace (never a process outside it)."""
        if self.own_namespace:
            return ForkedProcess(self, inner)
        outer = outer_pid(inner, self.namespace)
        if outer is None:
            raise PreforkError(f"the forked run {inner} is not in the server's sandbox")
        return ForkedProcess(self, outer, inner)

    def _note_exit(self, message: dict) -> None:
        if "exit" in message:
            self.exits[int(message["exit"])] = int(message["returncode"])

    def _read_message(self, timeout: float) -> dict | None:
        """The next complete line from the server as JSON, or None if none arrives within ``timeout``."""
        deadline = time.monotonic() + timeout
        stream = self.process.stdout
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            with selectors.DefaultSelector() as selector:
                selector.register(stream, selectors.EVENT_READ)
                if not selector.select(timeout=max(0.0, remaining)):
                    return None
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return None


if __name__ == "__main__":
    serve()
