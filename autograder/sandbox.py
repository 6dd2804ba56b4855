"""The operating-system sandbox around grading processes: bubblewrap, a container, or none.

A sandboxed process sees, read-only, only what grading needs: the Python installation and its
site-packages, the system libraries, the grader's packages and the instructor's ``data/`` and
``pyproject.toml`` (never ``solutions/``, the instructor's tests, other submissions or a home folder);
the shared JAX compilation cache at its own path (JAX's cache keys contain the cache folder's path,
so a copy elsewhere would never hit), which only the instructor's own runs fill; writable, only its
slot folder (the run folders of one submission) and a size-limited ``/tmp``. With
``--keep-compilations`` the slot holds a copy of the cache instead, shown writable at the cache's path,
and its new files are added to the shared cache afterwards. It has no network, its own PID, IPC, UTS and user namespaces, no
capabilities, and dies with the grader. ``none`` is today's process isolation, used only when asked for.
"""
from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import autograder
import coursekit

BACKENDS = ("auto", "bwrap", "docker", "podman", "none")
TMP_SIZE_MB = 256
PIDS_LIMIT = 256
SYSTEM_PATHS = ("/usr", "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/alternatives")
"""Read-only system files a Python with NumPy, SciPy and jaxlib needs (shared libraries, their cache)."""
INSTRUCTOR_PARTS = ("data", "pyproject.toml")
"""Of the instructor's tree only these are visible (the grader's packages are bound separately)."""
IMAGE = "course-autograder:latest"
NO_SANDBOX_NOTE = ("graded WITHOUT a sandbox (--sandbox none): the submission's code could read the "
                   "grading machine's files and use its network")


class SandboxError(RuntimeError):
    """The requested sandbox is not available here; the message says what to do."""


@dataclass(frozen=True)
class Layout:
    """What one sandbox shows: ``readonly`` and ``writable`` host paths, each at its own path inside."""

    readonly: tuple[Path, ...]
    writable: tuple[Path, ...]
    memory_mb: int = 3072
    binds: tuple[tuple[Path, Path, bool], ...] = ()
    """Further host folders shown at another path: (source, path inside, writable)."""

    def visible(self) -> tuple[Path, ...]:
        return self.readonly + self.writable + tuple(inside for _, inside, _ in self.binds)


@dataclass
class Sandbox:
    """A backend: wraps a command so that it runs inside the sandbox of a ``Layout``."""

    name: str
    executable: str | None = None
    probed: dict = field(default_factory=dict)

    @property
    def isolated(self) -> bool:
        return self.name != "none"

    @property
    def forks_inside(self) -> bool:
        """Whether a prefork server can run inside (bwrap: yes; a container per run: no)."""
        return self.name in ("bwrap", "none")

    def command(self, argv: list[str], layout: Layout, cwd: Path, env: dict[str, str],
                name: str = "") -> list[str]:
        """``argv`` wrapped for this backend (``name`` labels a container so that it can be killed)."""
        if self.name == "bwrap":
            return bwrap_command(self.executable, argv, layout, cwd)
        if self.name in ("docker", "podman"):
            return container_command(self.executable, argv, layout, cwd, env, name)
        return list(argv)

    def kill_command(self, name: str) -> list[str] | None:
        """How to stop a run from outside when killing the client is not enough (containers)."""
        if self.name in ("docker", "podman") and name:
            return [self.executable, "kill", name]
        return None

    def describe(self) -> str:
        return {"bwrap": "bubblewrap (no network; only the Python installation, the checks and the run's folder "
                         "visible)",
                "docker": "docker container (--network none, read-only root)",
                "podman": "podman container (--network none, read-only root)",
                "none": "none"}[self.name]


def choose(name: str = "auto") -> Sandbox:
    """The backend called ``name``; ``auto`` is bubblewrap when it works here, else an error saying what to do."""
    if name not in BACKENDS:
        raise SandboxError(f"unknown sandbox {name!r}; choose from {', '.join(BACKENDS)}")
    if name == "none":
        return Sandbox("none")
    if name in ("docker", "podman"):
        executable = shutil.which(name)
        if executable is None:
            raise SandboxError(f"--sandbox {name}: {name} is not on PATH")
        return Sandbox(name, executable)
    executable = shutil.which("bwrap")
    problem = bwrap_problem(executable)
    if problem:
        raise SandboxError(
            f"no sandbox for grading: {problem}. Install bubblewrap (Debian/Ubuntu: sudo apt-get install "
            "bubblewrap; Fedora: sudo dnf install bubblewrap), or grade in a container with --sandbox docker "
            "(build the image with `python -m autograder image`), or, only for code you trust, pass "
            "--sandbox none")
    return Sandbox("bwrap", executable)


_PROBES: dict[str, str | None] = {}


def bwrap_problem(executable: str | None) -> str | None:
    """Why bubblewrap cannot sandbox here (not Linux, not installed, no user namespaces), or None; probed once."""
    if sys.platform != "linux":
        return f"bubblewrap needs Linux (this is {platform.system()})"
    if executable is None:
        return "bwrap (bubblewrap) is not on PATH"
    if executable not in _PROBES:
        try:
            done = subprocess.run([executable, "--unshare-all", "--unshare-user", "--die-with-parent", "--ro-bind", "/", "/",
                                   "--proc", "/proc", "--dev", "/dev", "true"],
                                  capture_output=True, text=True, timeout=30)
            _PROBES[executable] = None if done.returncode == 0 else (
                f"bwrap cannot create its namespaces here ({done.stderr.strip() or done.returncode}; on Ubuntu "
                "24.04 unprivileged user namespaces are restricted by AppArmor: run the grader with sudo, or "
                "set the sysctl kernel.apparmor_restrict_unprivileged_userns=0)")
        except (OSError, subprocess.TimeoutExpired) as error:
            _PROBES[executable] = f"bwrap did not run ({error})"
    return _PROBES[executable]


def python_paths() -> list[Path]:
    """The Python installation: the interpreter, the standard library, the environment's site-packages."""
    paths = {Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(Path(sysconfig.get_paths()[key]))
    paths |= {Path(entry) for entry in sys.path if entry and "site-packages" in entry}
    return _resolved(paths)


def grader_paths(instructor_root: Path) -> list[Path]:
    """The grader's own packages (and coursekit) and the instructor's data: no solutions, no tests."""
    paths = {Path(autograder.__file__).parent, Path(coursekit.__file__).parent}
    paths |= {Path(instructor_root) / part for part in INSTRUCTOR_PARTS}
    paths |= {Path(instructor_root) / package for package in ("autograder", "coursekit")}
    return _resolved(paths)


def _resolved(paths) -> list[Path]:
    """Existing paths, each also as its resolved target (so that symlinked installs work), without those
    inside another one."""
    found = set()
    for path in paths:
        for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):
            if candidate.exists():
                found.add(candidate)
    return sorted(path for path in found if not any(other in path.parents for other in found))


def layout(instructor_root: Path, writable: list[Path], memory_mb: int,
           binds: tuple[tuple[Path, Path, bool], ...] = ()) -> Layout:
    """Read-only: system libraries, Python, the grader; writable: ``writable`` (the slot folder); ``binds``:
    (source, path inside, writable), e.g. the JAX cache."""
    system = [Path(path) for path in SYSTEM_PATHS if Path(path).exists()]
    readonly = system + python_paths() + grader_paths(instructor_root)
    return Layout(tuple(dict.fromkeys(readonly)), tuple(Path(path) for path in writable), memory_mb,
                  tuple((Path(source), Path(inside), bool(write)) for source, inside, write in binds))


def bwrap_command(executable: str, argv: list[str], layout: Layout, cwd: Path) -> list[str]:
    """bubblewrap: new namespaces of every kind, no capabilities, read-only binds, a fresh /tmp and /dev."""
    command = [executable, "--unshare-all", "--unshare-user", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
               "--disable-userns", "--hostname", "grader", "--proc", "/proc", "--dev", "/dev",
               "--size", str(TMP_SIZE_MB * 2**20), "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib64", "sbin"):
        path = Path("/") / link
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            command += ["--ro-bind", str(path), str(path)]
    for path in layout.readonly:
        command += ["--ro-bind", str(path), str(path)]
    for path in layout.writable:
        command += ["--bind", str(path), str(path)]
    for source, inside, writable in layout.binds:
        command += ["--bind" if writable else "--ro-bind", str(source), str(inside)]
    return command + ["--chdir", str(cwd), "--", *argv]


def container_command(executable: str, argv: list[str], layout: Layout, cwd: Path, env: dict[str, str],
                      name: str) -> list[str]:
    """docker/podman: the image of ``autograder.image``, no network, read-only root, memory and PID limits;
    the grader's packages, the instructor's data and the slot folder mounted at their host paths."""
    command = [executable, "run", "--rm", "-i", "--init", "--network", "none", "--read-only",
               "--memory", f"{layout.memory_mb}m", "--memory-swap", f"{layout.memory_mb}m",
               "--pids-limit", str(PIDS_LIMIT), "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
               "--tmpfs", f"/tmp:rw,nosuid,size={TMP_SIZE_MB}m", "--user", f"{os.getuid()}:{os.getgid()}",
               "--workdir", str(cwd)]
    if name:
        command += ["--name", name]
    python = set(python_paths())
    for path in layout.readonly:
        if path not in python and not str(path).startswith(("/usr", "/etc")):
            command += ["--volume", f"{path}:{path}:ro"]
    for path in layout.writable:
        command += ["--volume", f"{path}:{path}:rw"]
    for source, inside, writable in layout.binds:
        command += ["--volume", f"{source}:{inside}:{'rw' if writable else 'ro'}"]
    packages = os.pathsep.join(sorted({str(Path(autograder.__file__).parent.parent),
                                       str(Path(coursekit.__file__).parent.parent)}))
    for key, value in sorted(env.items()):
        if key == "PYTHONPATH":
            value = os.pathsep.join([value, packages])
        if key != "PATH":
            command += ["--env", f"{key}={value}"]
    return command + [IMAGE, *(["python", *argv[1:]] if argv and argv[0] == sys.executable else argv)]
