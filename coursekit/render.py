"""Render a clean copy of the book with Quarto, as a new reader's machine would, and keep the log.

The copy holds the repository's tracked and new files only (no ``_book``, ``_freeze`` or caches), so
the first render executes every chapter. Later profiles rendered in the same copy reuse Quarto's
freeze of that first render instead of executing the chapters again.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.paths import REPO_ROOT

OFFLINE_MATH = ("-M", "html-math-method:mathml")
"""MathJax loads from a CDN; offline renders write MathML instead."""

PROBLEM_LINE = re.compile(r"\b(WARN|WARNING|ERROR)\b")
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
OUTPUT_DIRS = {"default": "_book", "instructor": "_book-instructor"}
IGNORED = ("_book", "_book-instructor", "_freeze", ".quarto", ".venv", ".jax_cache", ".tools", "build",
           "__pycache__", ".pytest_cache", "*.egg-info")


@dataclass(frozen=True)
class Render:
    """One profile's render: where the site is, what Quarto printed, how it ended, how long it took, and
    how long each page it executed took (empty when every page came from the freeze)."""

    profile: str
    site: Path
    log: str
    returncode: int
    seconds: float
    page_seconds: dict[str, float] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """The log's WARN and ERROR lines, without colour codes."""
        lines = (ANSI_ESCAPE.sub("", line).strip() for line in self.log.splitlines())
        return [line for line in lines if PROBLEM_LINE.search(line)]


def repository_files(root: Path = REPO_ROOT) -> list[Path]:
    """Files a fresh clone would have, plus new ones not ignored (relative paths); empty outside git."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            cwd=root, capture_output=True, text=True)
    if listed.returncode != 0:
        return []
    return [Path(name) for name in listed.stdout.split("\0") if name and (root / name).is_file()]


def clean_copy(destination: Path, root: Path = REPO_ROOT) -> Path:
    """Copy the book's sources to ``destination`` without build output or caches."""
    files = repository_files(root)
    if not files:
        shutil.copytree(root, destination, ignore=shutil.ignore_patterns(*IGNORED), dirs_exist_ok=True)
        return destination
    for relative in files:
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / relative, target)
    return destination


def page_seconds(project: Path, started: float) -> dict[str, float]:
    """Seconds each page executed in a render that began at ``started`` (epoch), in the order run.

    Quarto writes a page's results to ``_freeze/<page>/execute-results/`` when its kernel finishes, so
    the gaps between those files' times are the pages' execution times; the first gap also holds
    Quarto's start-up. Pages whose results are older than ``started`` came from the freeze.
    """
    written = sorted((path.stat().st_mtime, path.parent.parent.relative_to(project / "_freeze").as_posix())
                     for path in (project / "_freeze").glob("**/execute-results/*.json")
                     if path.stat().st_mtime >= started)
    seconds, previous = {}, started
    for finished, page in written:
        seconds[page] = round(finished - previous, 1)
        previous = finished
    return seconds


def render(project: Path, quarto: str, profile: str = "default", timeout: float = 3600) -> Render:
    """``quarto render`` the project with one profile (offline maths), kernels on this Python."""
    command = [quarto, "render", *OFFLINE_MATH]
    if profile != "default":
        command += ["--profile", profile]
    environment = {**os.environ, "QUARTO_PYTHON": sys.executable}
    started, start = time.time(), time.perf_counter()
    result = subprocess.run(command, cwd=project, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=timeout)
    return Render(profile=profile, site=project / OUTPUT_DIRS[profile], log=result.stdout,
                  returncode=result.returncode, seconds=time.perf_counter() - start,
                  page_seconds=page_seconds(project, started))
