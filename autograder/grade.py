"""Grade a submission with the instructor's pristine checks, one isolated subprocess per exercise.

From a submission only ``exercises/exNN_name.py`` modules with the known exercise names are used:
its tests, conftest.py, expected ranges, pytest configuration and anything else are ignored. Each
module is read first (syntax, monkey-patching, grader escapes: ``autograder.scan``); if it is clean its
exercise's checks run in a subprocess (``autograder.isolation``) inside an operating-system sandbox
(``autograder.sandbox``) and are scored (``autograder.scoring``). A submission can never crash the
grader: whatever happens becomes a reason in the report.

In a sandbox each worker gets, per submission, a slot: a folder holding that submission's run folders
and a prefork server started inside a sandbox that can write only there. So no run sees another
student's work, and no run can plant a compiled program in the shared JAX cache: the runs see it
read-only, at its own path (JAX's cache keys contain that path). With ``keep_compilations`` (one
student's own grading, or the solutions) the slot holds a copy of the cache, shown writable at that
path, and the new compilations are added to the shared cache afterwards.
"""
from __future__ import annotations

import datetime as _dt
import itertools
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from autograder import catalog as catalog_module
from autograder import isolation, manifest, sandbox, scoring
from autograder.prefork import Preforker, PreforkError
from autograder.progress import CHECKS, Progress
from autograder.results import ERROR, INVALID, MISSING, VOIDED, ExerciseResult, GradeReport
from autograder.scan import scan_source

MODULE_SIZE_LIMIT = 1_000_000
IGNORED_SUBMISSION_FILES = ("tests", "conftest.py", "pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini",
                            "sitecustomize.py", "usercustomize.py")


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: limits, parallel workers, which exercises, where the JAX and catalog caches live,
    whether runs are forked from servers that imported the libraries once (``autograder.prefork``), the
    sandbox (``autograder.sandbox``) and whether the runs' new compilations join the shared JAX cache.
    ``static_scan=False`` is a hook for the grader's own tests: it shows what the sandbox stops alone."""

    limits: isolation.Limits = field(default_factory=isolation.Limits)
    jobs: int = 2
    exercises: tuple[str, ...] = ()
    jax_cache: Path | None = None
    catalog_cache: Path | None = None
    prefork: bool = True
    keep_workdir: bool = False
    sandbox: str = "auto"
    keep_compilations: bool = False
    static_scan: bool = True


class Grader:
    """Grades any number of submissions against one instructor tree (checks collected once)."""

    def __init__(self, instructor_root: str | Path | None = None, options: GradeOptions | None = None,
                 progress: Progress | None = None):
        self.root = catalog_module.find_instructor_root(instructor_root)
        self.options = options or GradeOptions()
        self.sandbox = sandbox.choose(self.options.sandbox)
        self.progress = progress or Progress(CHECKS)
        self.jax_cache = Path(self.options.jax_cache or self.root / ".jax_cache").resolve()
        self.catalog_cache = Path(self.options.catalog_cache or catalog_module.default_cache_dir()).resolve()
        self.workdir = Path(tempfile.mkdtemp(prefix="autograder-"))
        self.checks = self.workdir / "checks"
        isolation.copy_checks(self.root, self.checks)
        self._catalog: catalog_module.Catalog | None = None
        self._counter = 0
        self._lock = threading.Lock()
        self._launchers: list[Preforker] = []
        self._idle_launchers: list[Preforker] = []

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for launcher in self._launchers:
            launcher.close()
        if not self.options.keep_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def catalog(self) -> catalog_module.Catalog:
        with self._lock:
            if self._catalog is None:
                self._catalog = self._cached_or_collected_catalog()
        return self._catalog

    def _cached_or_collected_catalog(self) -> catalog_module.Catalog:
        ini = catalog_module.ini_text(self.root)
        cache_file = catalog_module.cache_path(self.catalog_cache, self.checks, ini)
        cached = catalog_module.load_cached(cache_file, self.root, ini)
        if cached is not None:
            self.progress.say(f"[grader] the checks' points table is cached ({cache_file})")
            return cached
        self.progress.say("[grader] collecting the instructor's checks")
        collected = catalog_module.collect(self.root, self.checks, self.workdir / "collect", self.jax_cache)
        try:
            catalog_module.save(collected, cache_file)
        except OSError as error:
            self.progress.say(f"[grader] could not cache the points table ({error}); collecting again next time")
        return collected

    def exercise_names(self, only: tuple[str, ...] = ()) -> list[str]:
        """The exercises to grade: ``only``, else the options' selection, else all, in catalog order."""
        names = list(self.catalog.exercises)
        wanted = only or self.options.exercises
        unknown = [name for name in wanted if name not in names]
        if unknown:
            raise catalog_module.CatalogError(f"unknown exercise(s) {', '.join(unknown)}; known: {', '.join(names)}")
        return [name for name in names if not wanted or name in wanted]

    # -- one submission ------------------------------------------------------------------------
    def grade(self, submission: str | Path, who: str | None = None, only: tuple[str, ...] = ()) -> GradeReport:
        """Grade the submission folder ``submission`` (``only`` these exercises); ``who`` labels progress.

        Nothing in the submission makes this raise: an unreadable submission gets reasons, not an error.
        """
        submission = Path(submission).resolve()
        who = who or submission.name
        names = self.exercise_names(only)
        report = GradeReport(str(submission), [], graded_at=_dt.datetime.now(_dt.timezone.utc).isoformat(
            timespec="seconds"), grader=self.description())
        report.warnings = [f"check files differ from the release manifest ({problem})"
                           for problem in manifest.verify(self.root)]
        if not self.sandbox.isolated:
            report.warnings.insert(0, sandbox.NO_SANDBOX_NOTE)
        watched = {"the instructor's checks": (self.root / "tests", isolation.CHECK_PARTS),
                   "the submission's exercises": (submission / "exercises", None)}
        before = {label: isolation.tree_digest(*where) for label, where in watched.items() if where[0].is_dir()}
        try:
            self._grade_into(report, submission, who, names)
        except Exception as error:  # noqa: BLE001 - e.g. an unreadable folder: report it, never crash
            report.exercises = [scoring.unrun(name, self.catalog.exercises[name], ERROR,
                                              [f"the submission could not be read: {type(error).__name__}: {error}"])
                                for name in names]
        for label, digest in before.items():
            changed = isolation.changed_files(digest, isolation.tree_digest(*watched[label]))
            if changed:
                report.warnings.append(f"{label} changed while grading: {', '.join(changed[:5])}")
        self.progress.total(who, report)
        return report

    def _grade_into(self, report: GradeReport, submission: Path, who: str, names: list[str]) -> None:
        folder, problem = locate_exercises(submission)
        if folder is None:
            report.exercises = [scoring.unrun(name, self.catalog.exercises[name], MISSING, [problem])
                                for name in names]
            return
        report.ignored_files = ignored_files(submission, folder, list(self.catalog.exercises),
                                             own_tree=submission == self.root)
        modules, early = self.read_modules(folder, names)
        with self._lock:
            self._counter += 1
            run_root = self.workdir / f"run{self._counter}"
        results: dict[str, ExerciseResult] = dict(early)
        # Longest first (the number of checks stands in for the cost), so that the slowest exercise
        # does not start last and leave one worker idle at the end.
        to_run = sorted((name for name in names if name not in early),
                        key=lambda name: len(self.catalog.exercises[name]), reverse=True)
        slots = Slots(self, run_root) if self.sandbox.isolated else None
        try:
            with ThreadPoolExecutor(max_workers=max(1, self.options.jobs)) as pool:
                futures = {name: pool.submit(self.grade_exercise, name, modules, run_root / name, who, slots)
                           for name in to_run}
                for name, future in futures.items():
                    results[name] = future.result()
        finally:
            if slots is not None:
                slots.close()
        report.exercises = [results[name] for name in names]
        if not self.options.keep_workdir:
            shutil.rmtree(run_root, ignore_errors=True)

    def read_modules(self, folder: Path, names: list[str]) -> tuple[dict[str, Path], dict[str, ExerciseResult]]:
        """Usable module paths, and results for exercises decided without running (missing, invalid, voided)."""
        modules, decided = {}, {}
        for name in names:
            checks = self.catalog.exercises[name]
            path = folder / f"{name}.py"
            if name in self.catalog.errors:
                decided[name] = scoring.unrun(name, checks, ERROR, [
                    f"the instructor's checks for {name} could not be collected: {self.catalog.errors[name]}"])
                continue
            problem = module_problem(path, folder)
            if problem:
                status = MISSING if not path.exists() and not path.is_symlink() else INVALID
                decided[name] = scoring.unrun(name, checks, status, [problem])
                continue
            try:
                source = path.read_bytes().decode("utf-8", errors="replace")
            except OSError as error:
                decided[name] = scoring.unrun(name, checks, INVALID, [f"{path.name} cannot be read: {error}"])
                continue
            findings = [finding for finding in scan_source(source, path.name)
                        if self.options.static_scan or finding.kind == "syntax"]
            if findings and findings[0].kind == "syntax":
                decided[name] = scoring.unrun(name, checks, INVALID, [f"{path.name} does not parse: {findings[0]}"])
                continue
            if findings:
                decided[name] = scoring.unrun(name, checks, VOIDED, [f"{path.name} {finding}" for finding in findings])
                continue
            modules[name] = path
        return modules, decided

    def grade_exercise(self, name: str, modules: dict[str, Path], root: Path, who: str,
                       slots: "Slots | None" = None) -> ExerciseResult:
        """Run and score one exercise (in a slot of ``slots`` when sandboxed); any grader-side failure becomes
        an ERROR result."""
        checks = self.catalog.exercises[name]
        points = {check.nodeid: check.points for check in checks}
        self.progress.started(who, name)

        def on_event(event: dict) -> None:
            if event["event"] == "result":
                nodeid = str(event.get("nodeid"))
                earned = points.get(nodeid, 0.0) if event.get("outcome") == "passed" else 0.0
                self.progress.check(who, name, scoring.check_name(nodeid), str(event.get("outcome")), earned)

        try:
            if slots is not None:
                run = slots.run(name, modules, on_event)
            else:
                folders = isolation.prepare(root, self.checks, self.catalog.ini_text, modules)
                test_file = folders.tests / self.catalog.test_file(name)
                launcher = self._take_launcher()
                try:
                    run = isolation.run(folders, test_file, self.root, self.options.limits, self.jax_cache,
                                        on_event, launcher=launcher)
                finally:
                    self._give_back(launcher)
            result = scoring.score(name, checks, run, self.options.limits)
        except Exception as error:  # noqa: BLE001 - the grader reports, it does not crash
            result = scoring.unrun(name, checks, ERROR, [f"grader error: {type(error).__name__}: {error}"])
        self.progress.finished(who, result)
        return result

    @property
    def prefork_servers(self) -> int:
        """How many prefork servers this grader has started (0 when runs start as new processes)."""
        return len(self._launchers)

    def count_server(self, launcher: Preforker) -> None:
        """Note a server started for a slot (closed with its submission, not with the grader)."""
        with self._lock:
            self._launchers.append(launcher)

    def _take_launcher(self) -> Preforker | None:
        """An idle prefork server (a new one if none is idle), or None: then runs start as subprocesses."""
        if not self.options.prefork:
            return None
        with self._lock:
            while self._idle_launchers:
                launcher = self._idle_launchers.pop()
                if launcher.alive():
                    return launcher
            self._counter += 1
            home = self.workdir / f"prefork{self._counter}"
        for folder in (home / ".home", home / ".tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        environment = isolation.child_environment(self.root, home, home, self.jax_cache)
        began = time.monotonic()
        try:
            launcher = Preforker(environment, str(home))
        except (PreforkError, OSError):
            return None
        isolation.trace(f"server {home.name} started in {time.monotonic() - began:.2f} s")
        with self._lock:
            self._launchers.append(launcher)
        return launcher

    def _give_back(self, launcher: Preforker | None) -> None:
        if launcher is not None:
            with self._lock:
                self._idle_launchers.append(launcher)

    def description(self) -> dict:
        """Grader settings and versions recorded in every report."""
        versions = {}
        for package in ("jax", "numpyro", "numpy", "pytest"):
            try:
                versions[package] = metadata.version(package)
            except metadata.PackageNotFoundError:
                versions[package] = None
        limits = self.options.limits
        return {"instructor_root": str(self.root), "checks_sha256": isolation.tree_sha256(self.checks),
                "sandbox": self.sandbox.name, "python": platform.python_version(), "versions": versions,
                "limits": {"timeout_s": limits.timeout, "memory_mb": limits.memory_mb,
                           "output_kb": limits.output_kb}, "jobs": self.options.jobs}


@dataclass
class Slot:
    """One worker's writable folder for one submission: its runs, its sandboxed server, and with
    ``keep_compilations`` its copy of the JAX cache (shown at the cache's own path)."""

    root: Path
    jax_cache: Path
    layout: sandbox.Layout
    cache_copy: Path | None = None
    launcher: Preforker | None = None


class Slots:
    """The slots of one submission's grading: created on demand (one per busy worker), closed together."""

    _names = itertools.count(1)

    def __init__(self, grader: Grader, run_root: Path):
        self.grader, self.run_root = grader, run_root
        self.idle: list[Slot] = []
        self.all: list[Slot] = []
        self.created = 0
        self.lock = threading.Lock()

    def run(self, name: str, modules: dict[str, Path], on_event) -> isolation.RunResult:
        """Run exercise ``name`` in an idle slot (a new one if none is idle)."""
        grader = self.grader
        slot = self.take()
        try:
            folders = isolation.prepare(slot.root / name, grader.checks, grader.catalog.ini_text, modules)
            test_file = folders.tests / grader.catalog.test_file(name)
            container = f"autograder-{os.getpid()}-{next(self._names)}"
            kill = grader.sandbox.kill_command(container)
            launcher = slot.launcher if slot.launcher is not None and slot.launcher.alive() else None
            return isolation.run(
                folders, test_file, grader.root, grader.options.limits, slot.jax_cache, on_event, launcher=launcher,
                wrap=lambda argv, cwd, env: grader.sandbox.command(argv, slot.layout, cwd, env, container),
                stop=(lambda: subprocess.run(kill, capture_output=True, timeout=60, check=False)) if kill else None,
                disk_root=slot.root, cache_read_only=slot.cache_copy is None)
        finally:
            with self.lock:
                self.idle.append(slot)

    def take(self) -> Slot:
        with self.lock:
            if self.idle:
                return self.idle.pop()
            self.created += 1
            root = self.run_root / f"slot{self.created}"
        grader = self.grader
        # JAX's cache keys contain the cache folder's path, so the runs see the cache at its own path:
        # read-only (nothing to copy), or, to keep their compilations, a copy in the slot shown there.
        jax_cache = grader.jax_cache
        jax_cache.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        keep = grader.options.keep_compilations
        copy = root / "jax-cache"
        if keep:
            shutil.copytree(jax_cache, copy, symlinks=True)
        for folder in (root / "server" / ".home", root / "server" / ".tmp"):
            folder.mkdir(parents=True, exist_ok=True)
        isolation.trace(f"slot {root.name}: prepared in {time.monotonic() - began:.2f} s")
        binds = ((copy, jax_cache, True),) if keep else ((jax_cache, jax_cache, False),)
        slot = Slot(root, jax_cache, sandbox.layout(grader.root, [root], grader.options.limits.memory_mb, binds),
                    copy if keep else None)
        if grader.options.prefork and grader.sandbox.forks_inside:
            home = root / "server"
            environment = isolation.child_environment(grader.root, home, home, jax_cache, cache_read_only=not keep)
            began = time.monotonic()
            try:
                slot.launcher = Preforker(environment, str(home), wrap=lambda argv: grader.sandbox.command(
                    argv, slot.layout, home, environment))
                grader.count_server(slot.launcher)
                isolation.trace(f"slot {root.name}: server started in {time.monotonic() - began:.2f} s")
            except (PreforkError, OSError) as error:
                isolation.trace(f"slot {root.name}: NO SERVER after {time.monotonic() - began:.2f} s ({error})")
                slot.launcher = None  # each run starts as a new sandboxed process instead
        with self.lock:
            self.all.append(slot)
        return slot

    def close(self) -> None:
        """Stop the slots' servers (and so their sandboxes); with ``keep_compilations`` add the programs the
        runs compiled to the shared JAX cache."""
        for slot in self.all:
            if slot.launcher is not None:
                slot.launcher.close()
            if slot.cache_copy is not None:
                promote(slot.cache_copy, self.grader.jax_cache)


def promote(copy: Path, cache: Path) -> None:
    """Copy the files of ``copy`` that ``cache`` does not have yet (regular files only) into ``cache``."""
    cache.mkdir(parents=True, exist_ok=True)
    for path in copy.iterdir():
        target = cache / path.name
        if path.is_file() and not path.is_symlink() and not target.exists():
            shutil.copyfile(path, target)


def locate_exercises(submission: Path) -> tuple[Path | None, str]:
    """The submission's ``exercises/`` folder (also one level down, or the folder itself); else why not."""
    if not submission.is_dir():
        return None, f"{submission} is not a folder"
    candidates = [submission / "exercises"]
    candidates += [child / "exercises" for child in sorted(submission.iterdir())
                   if child.is_dir() and not child.is_symlink() and not child.name.startswith(".")]
    for candidate in candidates:
        if candidate.is_dir() and not candidate.is_symlink() and _inside(candidate, submission):
            return candidate, ""
    if any(submission.glob("ex[0-9]*.py")):
        return submission, ""
    if not any(submission.iterdir()):
        return None, "the submission is empty"
    return None, "the submission has no exercises/ folder"


def module_problem(path: Path, folder: Path) -> str | None:
    """Why an exercise module cannot be used (missing, a link, outside the folder, too large), or None."""
    if path.is_symlink():
        return f"exercises/{path.name} is a symbolic link; submit the file itself"
    if not path.exists():
        return f"exercises/{path.name} is missing"
    if not path.is_file() or not _inside(path, folder):
        return f"exercises/{path.name} is not a regular file"
    if path.stat().st_size > MODULE_SIZE_LIMIT:
        return f"exercises/{path.name} is larger than {MODULE_SIZE_LIMIT // 1000} kB"
    return None


def ignored_files(submission: Path, folder: Path, names: list[str], own_tree: bool = False) -> list[str]:
    """What the submission holds that grading deliberately does not use (its own tests, configs, extra
    modules); a student grading their own repository (``own_tree``) is told only about extra modules."""
    ignored = [] if own_tree else [entry for entry in IGNORED_SUBMISSION_FILES if (submission / entry).exists()]
    ignored += [f"exercises/{path.name}" for path in sorted(folder.glob("*.py")) if path.stem not in names]
    return ignored


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
