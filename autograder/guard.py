"""Runtime guards inside a grading subprocess: where the submission may write, and what it may not patch.

Two guards run in the pytest process that imports the student's module:

* ``LibrarySnapshot`` remembers every public attribute of the libraries the checks rely on (NumPyro,
  JAX, NumPy, pytest, the grader itself, builtins) and the methods of their classes, by identity. After
  each check ``changes()`` lists what was replaced or removed: a monkey-patch.
* ``WriteGuard`` is an audit hook (``sys.addaudithook``; it cannot be removed once installed). It blocks
  every file write outside the sandbox folder and a few allowed folders (the JAX cache), blocks starting
  processes and sending signals, and blocks frame and garbage-collector introspection called directly
  from the submission. Each blocked action is recorded as a ``Violation``; it counts against the
  submission when student code is on the call stack, otherwise it is only a note for the instructor.
"""
from __future__ import annotations

import os
import sys
import threading
import types
from dataclasses import dataclass

GUARDED_PREFIXES = ("numpyro", "jax", "numpy", "scipy.stats", "pytest", "_pytest", "pluggy",
                    "autograder", "coursekit", "builtins", "math")
"""Modules (and their submodules) whose attributes a submission must leave alone."""

GUARDED_IMPORTS = ("numpyro", "numpyro.infer", "numpyro.distributions", "numpyro.handlers",
                   "numpyro.infer.inspect", "numpyro.infer.reparam", "jax", "jax.numpy", "jax.random",
                   "jax.scipy.stats", "numpy", "numpy.random", "numpy.linalg", "pytest")
"""Imported before the snapshot so their attributes are known before any student code runs."""

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
PATH_EVENTS = {  # audit event -> positions of the path arguments it modifies
    "os.remove": (0,), "os.rmdir": (0,), "os.mkdir": (0,), "os.rename": (0, 1), "os.link": (1,),
    "os.symlink": (1,), "os.truncate": (0,), "os.chmod": (0,), "os.chown": (0,), "os.utime": (0,),
    "shutil.rmtree": (0,), "shutil.copyfile": (1,), "shutil.copytree": (1,), "shutil.move": (1,),
}
PROCESS_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                  "os.forkpty", "os.kill", "os.killpg", "pty.spawn", "os.startfile"}
INTROSPECTION_EVENTS = {"sys._getframe", "sys._current_frames", "gc.get_objects", "gc.get_referrers",
                        "gc.get_referents"}


def is_guarded(module_name: str) -> bool:
    """True for a module the submission must not patch."""
    return any(module_name == prefix or module_name.startswith(prefix + ".")
               for prefix in GUARDED_PREFIXES)


def import_guarded_modules() -> None:
    """Import the libraries the checks use, so the snapshot covers them before student code runs."""
    for name in GUARDED_IMPORTS:
        try:
            __import__(name)
        except ImportError:
            continue


def _is_method_like(value) -> bool:
    return callable(value) or isinstance(value, (property, classmethod, staticmethod))


class LibrarySnapshot:
    """Identities of the guarded modules' public attributes and of their classes' methods."""

    def __init__(self, extra_modules: tuple[str, ...] = ()):
        self.modules: dict[str, tuple[types.ModuleType, dict]] = {}
        self.classes: dict[int, tuple[type, dict]] = {}
        self.extend(extra_modules)

    def extend(self, extra_modules: tuple[str, ...] = ()) -> None:
        """Add guarded modules imported since the last call (and ``extra_modules``) to the snapshot."""
        for name, module in list(sys.modules.items()):
            if name in self.modules or not isinstance(module, types.ModuleType):
                continue
            if is_guarded(name) or name in extra_modules:
                self._remember_module(name, module)

    def _remember_module(self, name: str, module: types.ModuleType) -> None:
        public = {attr: value for attr, value in list(vars(module).items()) if not attr.startswith("_")}
        self.modules[name] = (module, public)
        for value in public.values():
            if (isinstance(value, type) and id(value) not in self.classes and name != "builtins"
                    and is_guarded(getattr(value, "__module__", None) or "")):
                methods = {attr: item for attr, item in list(vars(value).items()) if _is_method_like(item)}
                self.classes[id(value)] = (value, methods)

    def changes(self) -> list[str]:
        """What was replaced or removed since the snapshot, e.g. ``numpyro.infer.MCMC was replaced``."""
        found = []
        replaced_classes = set()
        for name, (module, public) in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(f"sys.modules[{name!r}] was replaced or removed")
                continue
            current = vars(module)
            for attr, value in public.items():
                if attr not in current:
                    found.append(f"{name}.{attr} was deleted")
                elif current[attr] is not value:
                    found.append(f"{name}.{attr} was replaced")
                    if isinstance(value, type):
                        replaced_classes.add(id(value))
        for key, (cls, methods) in self.classes.items():
            if key in replaced_classes:
                continue
            current = vars(cls)
            where = f"{cls.__module__}.{cls.__qualname__}"
            for attr, value in methods.items():
                if attr not in current:
                    found.append(f"{where}.{attr} was deleted")
                elif current[attr] is not value:
                    found.append(f"{where}.{attr} was replaced")
        return found


@dataclass(frozen=True)
class Violation:
    """An action the guard blocked; ``by_submission`` when student code was on the call stack."""

    kind: str  # "write", "process", "introspection"
    detail: str
    by_submission: bool
    location: str = ""


def _resolve(path) -> str | None:
    if isinstance(path, int):
        return None
    try:
        return os.path.realpath(os.fsdecode(path))
    except (TypeError, ValueError):
        return "<unreadable path>"


def _inside(path: str, roots: tuple[str, ...]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


class WriteGuard:
    """Audit hook confining writes to ``sandbox`` (+ ``allowed``) and blocking escapes; see module doc."""

    def __init__(self, sandbox, student_dir, allowed=()):
        self.sandbox = os.path.realpath(sandbox)
        self.student_dir = os.path.realpath(student_dir)
        self.roots = (self.sandbox, os.devnull, *(os.path.realpath(p) for p in allowed))
        self.violations: list[Violation] = []
        self._lock = threading.Lock()
        self._busy = threading.local()

    def install(self) -> None:
        sys.addaudithook(self._hook)

    def drain(self) -> list[Violation]:
        """Violations recorded since the last call."""
        with self._lock:
            found, self.violations = self.violations, []
        return found

    # -- the hook -------------------------------------------------------------------------------
    def _hook(self, event: str, args: tuple) -> None:
        if event not in PATH_EVENTS and event != "open" and event not in PROCESS_EVENTS \
                and event not in INTROSPECTION_EVENTS:
            return
        if getattr(self._busy, "active", False):
            return
        self._busy.active = True
        try:
            problem = self._check(event, args)
        finally:
            self._busy.active = False
        if problem is not None:
            raise PermissionError(f"blocked by the grader: {problem.detail}")

    def _check(self, event: str, args: tuple) -> Violation | None:
        if event == "open":
            return self._check_open(args)
        if event in PATH_EVENTS:
            for position in PATH_EVENTS[event]:
                path = _resolve(args[position]) if position < len(args) else None
                if path is not None and not _inside(path, self.roots):
                    return self._record("write", f"{event} on {self._shown(path)} (outside its folder)")
            return None
        if event in PROCESS_EVENTS:
            return self._record("process", f"{event} (starting processes or sending signals)")
        caller = sys._getframe(2)  # _check <- _hook <- the Python frame that raised the event
        if self._is_student(caller):
            return self._record("introspection", f"{event} (inspecting the grader's frames or objects)")
        return None

    def _check_open(self, args: tuple) -> Violation | None:
        path, mode, flags = (tuple(args) + (None, None, None))[:3]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
            (isinstance(flags, int) and flags >= 0 and bool(flags & WRITE_FLAGS))
        if not writing:
            return None
        if isinstance(path, int):
            if path in (1, 2):
                return None
            return self._record("write", f"writing to inherited file descriptor {path}")
        resolved = _resolve(path)
        if resolved is not None and not _inside(resolved, self.roots):
            return self._record("write", f"writing {self._shown(resolved)} (outside its folder)")
        return None

    def _shown(self, path: str) -> str:
        """A path as the student would name it: relative to the sandbox when close to it."""
        if _inside(path, (os.path.dirname(self.sandbox),)):
            return os.path.relpath(path, self.sandbox)
        return path

    def _is_student(self, frame) -> bool:
        return frame is not None and os.path.realpath(frame.f_code.co_filename).startswith(
            self.student_dir + os.sep)

    def _student_location(self) -> str:
        frame = sys._getframe(1)
        while frame is not None:
            if self._is_student(frame):
                return f"{os.path.basename(frame.f_code.co_filename)}, line {frame.f_lineno}"
            frame = frame.f_back
        return ""

    def _record(self, kind: str, detail: str) -> Violation:
        location = self._student_location()
        violation = Violation(kind, detail, by_submission=bool(location), location=location)
        with self._lock:
            self.violations.append(violation)
        return violation
