"""Run one exercise's checks in a subprocess the submission cannot escape from or take down.

Each run gets its own folder::

    <run>/pytest.ini            the instructor's markers, nothing from the submission
    <run>/tests/                a fresh copy of the instructor's checks and expected ranges
    <run>/sandbox/              the working directory: the submission's exercise modules, HOME, TMPDIR
    <run>/out/                  events.jsonl (from autograder.plugin), stdout.log, stderr.log

The child (a new Python process, or a fork of an ``autograder.prefork`` server that has imported the
libraries), usually inside an operating-system sandbox (``autograder.sandbox``), gets a clean environment (no inherited secrets, PYTHONPATH = the instructor's tree only),
its own session (so the whole process group can be killed), a data-segment limit and a file-size
limit. While it runs the parent polls: wall-clock timeout, resident memory of the session, size of
stdout/stderr, size of the folder it may write to; any excess kills the group. Afterwards the copied checks are compared with the originals.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.prefork import Preforker, PreforkError

POLL_SECONDS = 0.2
EVENT_LOG_LIMIT = 8 * 2**20
TAIL_BYTES = 3000
CHECK_PARTS = ("conftest.py", "__init__.py", "exercises", "expected")
"""What of the instructor's tests/ grades a submission: the checks and their expected ranges (not the
instructor's own test suite, the wrong variants or the grader's fixtures)."""
IGNORED_IN_CHECKS = ("__pycache__", ".pytest_cache", "*.pyc")
TRACE = bool(os.environ.get("AUTOGRADER_TRACE"))
"""With ``AUTOGRADER_TRACE=1`` the grader writes timing lines to its standard error (for measuring)."""
LIMITS_ENV = "AUTOGRADER_RLIMITS"
"""Data, file-size and core limits (bytes, comma-separated) that ``autograder.confine`` sets on itself."""
READ_ONLY_CACHE_ENV = "COURSE_JAX_CACHE_READ_ONLY"
"""Set for runs that see the shared JAX cache read-only, so that they do not try to write to it."""
WALK_SHARE = 0.05
"""The disk watch waits after each walk of the folder 1/WALK_SHARE times as long as that walk took (at
least ``POLL_SECONDS``), so that measuring the folder costs at most about 5% of a CPU."""
DISK_ENTRY_LIMIT = 20_000
"""More files than this in a run's folder count as filling the disk (and keep the size watch cheap)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one exercise run."""

    timeout: float = 900.0       # wall-clock seconds
    memory_mb: int = 3072        # resident memory of the process group, and its data segment
    output_kb: int = 1024        # stdout + stderr
    file_size_mb: int = 512      # largest file the process may write
    disk_mb: int = 1024          # everything it writes to its folder


@dataclass(frozen=True)
class RunFolders:
    """The folders of one run (see the module docstring)."""

    root: Path

    @property
    def ini(self) -> Path:
        return self.root / "pytest.ini"

    @property
    def tests(self) -> Path:
        return self.root / "tests"

    @property
    def sandbox(self) -> Path:
        return self.root / "sandbox"

    @property
    def student_dir(self) -> Path:
        return self.sandbox / "exercises"

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def events(self) -> Path:
        return self.out / "events.jsonl"


@dataclass
class RunResult:
    """What happened in one run."""

    events: list[dict] = field(default_factory=list)
    returncode: int | None = None
    watch_seconds: float = 0.0             # spent measuring the folder's size
    killed_for: str | None = None          # "timeout", "memory", "output" or "disk"
    peak_memory_mb: float = 0.0
    duration: float = 0.0
    last_started: str | None = None
    stdout_tail: str = ""
    stderr_tail: str = ""
    checks_changed: list[str] = field(default_factory=list)


def copy_checks(instructor_root: Path, destination: Path) -> None:
    """Copy the ``CHECK_PARTS`` of the instructor's ``tests/`` (without caches) to ``destination``."""
    destination.mkdir(parents=True)
    for part in CHECK_PARTS:
        source = Path(instructor_root) / "tests" / part
        if source.is_dir():
            shutil.copytree(source, destination / part, ignore=shutil.ignore_patterns(*IGNORED_IN_CHECKS))
        elif source.is_file():
            shutil.copyfile(source, destination / part)


def prepare(root: Path, checks: Path, ini_text: str, modules: dict[str, Path]) -> RunFolders:
    """Create a run folder: copy the pristine ``checks`` and only the given submission ``modules``."""
    folders = RunFolders(Path(root))
    folders.root.mkdir(parents=True)
    folders.ini.write_text(ini_text, encoding="utf-8")
    shutil.copytree(checks, folders.tests)
    for sub in (folders.student_dir, folders.sandbox / ".home", folders.sandbox / ".tmp", folders.out):
        sub.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        shutil.copyfile(source, folders.student_dir / f"{name}.py")
    return folders


def trace(message: str) -> None:
    """A timing line on standard error when ``AUTOGRADER_TRACE`` is set."""
    if TRACE:
        print(f"[trace {time.monotonic():.2f}] {message}", file=sys.stderr, flush=True)


def child_environment(instructor_root: Path, sandbox: Path, target: Path, jax_cache: Path,
                      cache_read_only: bool = False) -> dict[str, str]:
    """A minimal environment: nothing from the caller except PATH; imports only from the instructor's tree.
    With ``cache_read_only`` the runs only read the JAX cache (``coursekit.jaxcache``: nothing is written)."""
    home = sandbox / ".home"
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(sandbox / ".tmp"),
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "MPLBACKEND": "Agg",
        "PYTHONPATH": str(instructor_root),
        "PYTHONSAFEPATH": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONFAULTHANDLER": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "JAX_PLATFORMS": "cpu",
        "JAX_COMPILATION_CACHE_DIR": str(jax_cache),
        "COURSE_TARGET": str(target),
    }
    if cache_read_only:
        environment[READ_ONLY_CACHE_ENV] = "1"
    return environment


def pytest_arguments(folders: RunFolders, test_file: Path, jax_cache: Path, collect: bool = False) -> list[str]:
    """The pytest arguments of a run: instructor ini, grader plugin, no cache, no output capture."""
    arguments = [str(test_file), "-c", str(folders.ini),
                 "--rootdir", str(folders.root), "-p", "no:cacheprovider", "-p", "autograder.plugin",
                 "--grader-events", str(folders.events), "--target", str(folders.student_dir),
                 "-q", "-s", "--no-header", "-o", "console_output_style=classic",
                 "--basetemp", str(folders.sandbox / ".tmp" / "pytest")]
    if collect:
        return arguments + ["--grader-collect"]
    return arguments + ["--grader-sandbox", str(folders.sandbox), "--grader-student-dir", str(folders.student_dir),
                        "--grader-allow-write", str(jax_cache)]


def tree_digest(folder: Path, parts: tuple[str, ...] | None = None) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (only under ``parts`` of it, if given), keyed by relative
    path; byte-code caches are not content and are skipped."""
    digests = {}
    roots = [Path(folder) / part for part in parts] if parts else [Path(folder)]
    paths = [path for root in roots if root.exists() for path in ([root] if root.is_file() else root.rglob("*"))]
    for path in sorted(paths):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        if path.is_file() and not path.is_symlink():
            digests[path.relative_to(folder).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_symlink():
            digests[path.relative_to(folder).as_posix()] = "symlink"
    return digests


def tree_sha256(folder: Path) -> str:
    """One digest of a whole folder (names and contents), e.g. to record which checks graded a submission."""
    combined = hashlib.sha256()
    for name, checksum in tree_digest(folder).items():
        combined.update(f"{name}\0{checksum}\n".encode())
    return combined.hexdigest()


def changed_files(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files added, removed or modified between two digests."""
    return sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name))


def run(folders: RunFolders, test_file: Path, instructor_root: Path, limits: Limits, jax_cache: Path,
        on_event: Callable[[dict], None] | None = None, collect: bool = False,
        launcher: Preforker | None = None,
        wrap: Callable[[list[str], Path, dict[str, str]], list[str]] | None = None,
        stop: Callable[[], None] | None = None, disk_root: Path | None = None,
        cache_read_only: bool = False) -> RunResult:
    """Run pytest on ``test_file`` (inside ``folders.tests``) under ``limits``; never raises for the child.

    With a ``launcher`` the child is forked from its server (libraries already imported), else it is a
    new ``python -m pytest`` process, put in a sandbox by ``wrap(command, cwd, environment)`` (then
    confined: no new processes) and
    stopped by ``stop`` too (a container); either way it leads its own session under the same limits.
    ``disk_root`` is the folder whose size counts against ``limits.disk_mb`` (default: the run's folder);
    ``cache_read_only``: the child may only read ``jax_cache`` (see ``child_environment``).
    """
    jax_cache.mkdir(parents=True, exist_ok=True)
    before = tree_digest(folders.tests)
    environment = child_environment(instructor_root, folders.sandbox, folders.student_dir, jax_cache,
                                    cache_read_only)
    arguments = pytest_arguments(folders, test_file, jax_cache, collect=collect)
    stdout_path, stderr_path = folders.out / "stdout.log", folders.out / "stderr.log"
    reader = EventReader(folders.events)
    result = RunResult()
    started = time.monotonic()
    process = None
    if launcher is not None:
        try:
            process = launcher.start(arguments, str(folders.sandbox), environment, str(stdout_path),
                                     str(stderr_path))
        except PreforkError:
            pass  # the server is gone: start a new process instead
    trace(f"run {test_file.name}: {'forked' if process is not None else 'NEW PROCESS'}"
          f" after {time.monotonic() - started:.2f} s")
    if process is None:
        command = [sys.executable, "-m", "autograder.confine" if wrap else "pytest", *arguments]
        if wrap:  # a sandbox's process is not this child: the limits are set again inside, before pytest
            environment[LIMITS_ENV] = ",".join(str(value) for value in rlimit_values(limits).values())
        process = start_subprocess(wrap(command, folders.sandbox, environment) if wrap else command,
                                   folders.sandbox, environment, stdout_path, stderr_path)
    apply_rlimits(process.pid, limits)
    try:
        result.killed_for = watch(process, limits, started, stdout_path, stderr_path, reader, result, on_event,
                                  disk_root or folders.root)
    finally:
        if stop:
            stop()
        kill_group(process.pid)
        process.wait()
    result.duration = time.monotonic() - started
    trace(f"run {test_file.name}: {result.duration:.2f} s, disk watch {result.watch_seconds:.2f} s")
    result.returncode = process.returncode
    for event in reader.read():
        result.events.append(event)
        if on_event:
            on_event(event)
    result.last_started = reader.last_started
    result.stdout_tail, result.stderr_tail = tail(stdout_path), tail(stderr_path)
    result.checks_changed = changed_files(before, tree_digest(folders.tests))
    return result


def start_subprocess(command: list[str], cwd: Path, environment: dict[str, str], stdout_path: Path,
                     stderr_path: Path) -> subprocess.Popen:
    """``command`` (pytest, maybe in a sandbox) in a new session, output to the two log files."""
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        return subprocess.Popen(command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=stdout,
                                stderr=stderr, start_new_session=True)


def watch(process, limits, started, stdout_path, stderr_path, reader, result, on_event,
          disk_root: Path) -> str | None:
    """Poll the child until it exits; return why it had to be killed, if it had to be."""
    output_limit = limits.output_kb * 1024
    next_walk = 0.0
    while process.poll() is None:
        for event in reader.read():
            result.events.append(event)
            if on_event:
                on_event(event)
        if time.monotonic() - started > limits.timeout:
            return "timeout"
        memory = session_memory_mb(process.pid)
        result.peak_memory_mb = max(result.peak_memory_mb, memory)
        if memory > limits.memory_mb:
            return "memory"
        if file_size(stdout_path) + file_size(stderr_path) > output_limit:
            return "output"
        measuring = time.monotonic()
        if measuring >= next_walk:
            too_big = folder_size(disk_root) > limits.disk_mb * 2**20
            spent = time.monotonic() - measuring
            result.watch_seconds += spent
            next_walk = measuring + spent / WALK_SHARE
            if too_big:
                return "disk"
        time.sleep(POLL_SECONDS)
    return None


def rlimit_values(limits: Limits) -> dict[int, int]:
    """The data-segment, file-size and core-file limits of a run (in this order)."""
    return {resource.RLIMIT_DATA: limits.memory_mb * 2**20, resource.RLIMIT_FSIZE: limits.file_size_mb * 2**20,
            resource.RLIMIT_CORE: 0}


def apply_rlimits(pid: int, limits: Limits) -> None:
    """Data-segment and file-size limits on the child (Linux); JAX's large address reservations are
    not data, so RLIMIT_AS is not used."""
    if not hasattr(resource, "prlimit"):
        return
    for which, value in rlimit_values(limits).items():
        try:
            resource.prlimit(pid, which, (value, value))
        except (OSError, ValueError):
            continue


def kill_group(pid: int) -> None:
    """Kill the child's whole process group (it leads its own session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def session_memory_mb(session_id: int) -> float:
    """Resident memory, in MB, of every process in the session and of every descendant of its leader
    (a sandbox may start its processes in a new session of their own; Linux ``/proc``; 0 elsewhere)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return 0.0
    parents, counted = {}, set()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()  # fields after the name: state ppid pgrp session ...
            parents[int(entry.name)] = int(fields[1])
            if int(fields[3]) == session_id:
                counted.add(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    for pid in parents:
        ancestor, steps = parents[pid], 0
        while ancestor > 1 and ancestor != session_id and steps < 64:
            ancestor, steps = parents.get(ancestor, 0), steps + 1
        if ancestor == session_id:
            counted.add(pid)
    total_pages = 0
    for pid in counted:
        try:
            total_pages += int((proc / str(pid) / "statm").read_text().split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total_pages * resource.getpagesize() / 2**20


def folder_size(folder: Path) -> float:
    """Bytes of the files under ``folder`` (symbolic links not followed); infinite past ``DISK_ENTRY_LIMIT``
    entries."""
    total, entries, pending = 0, 0, [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > DISK_ENTRY_LIMIT:
                        return float("inf")
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_blocks * 512
        except OSError:
            continue
    return total


def file_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def tail(path: Path, size: int = TAIL_BYTES) -> str:
    """The last ``size`` bytes of a log, decoded leniently (never reads a large file into memory)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, file_size(path) - size))
            return handle.read(size).decode("utf-8", errors="replace")
    except OSError:
        return ""


class EventReader:
    """Reads new complete JSON lines from the events file; ignores junk; stops at a size limit."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0
        self.partial = b""
        self.last_started: str | None = None

    def read(self) -> list[dict]:
        if self.offset >= EVENT_LOG_LIMIT:
            return []
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read(EVENT_LOG_LIMIT - self.offset)
        except OSError:
            return []
        self.offset += len(chunk)
        lines = (self.partial + chunk).split(b"\n")
        self.partial = lines.pop()
        events = []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if isinstance(event, dict) and isinstance(event.get("event"), str):
                events.append(event)
                if event["event"] == "start":
                    self.last_started = str(event.get("nodeid"))
        return events
