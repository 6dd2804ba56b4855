"""Time the execution of each chapter, the way the book's tests and Quarto run it.

A pass runs every chapter with one JAX cache folder; the first pass on an empty folder is
"cold" (every model compiled), a second pass on the same folder is "warm" (compiled programs
reused), which is what re-rendering a changed chapter costs.
"""
from __future__ import annotations

import os
import traceback
from contextlib import contextmanager
from pathlib import Path

from bench.table import Measurement


@contextmanager
def cache_env(cache_dir: Path):
    """Point JAX's persistent cache (read by ``setup_chapter`` in each kernel) at ``cache_dir`` for a while."""
    previous = os.environ.get("JAX_COMPILATION_CACHE_DIR")
    os.environ["JAX_COMPILATION_CACHE_DIR"] = str(cache_dir)
    try:
        yield
    finally:
        if previous is None:
            del os.environ["JAX_COMPILATION_CACHE_DIR"]
        else:
            os.environ["JAX_COMPILATION_CACHE_DIR"] = previous


def chapter_files(repo: Path, names: list[str] | None = None) -> list[Path]:
    """The book's chapters in order, or those whose file name contains one of ``names``."""
    files = sorted((repo / "chapters").glob("*.qmd"))
    if names:
        files = [f for f in files if any(name in f.name for name in names)]
    return files


def execute_pass(files: list[Path], cache_dir: Path, label: str, timeout: int) -> list[Measurement]:
    """Execute each chapter once with ``cache_dir``; a failing chapter is recorded, not raised."""
    from coursekit.chapters import execute

    rows = []
    with cache_env(cache_dir):
        for path in files:
            try:
                _, seconds = execute(path, timeout=timeout)
                rows.append(Measurement("chapter", path.stem, label, seconds, "s"))
                print(f"  {path.stem} ({label}): {seconds:.1f} s", flush=True)
            except Exception as error:  # noqa: BLE001 - report the chapter and go on with the rest
                last = traceback.format_exception_only(error)[-1].strip()
                rows.append(Measurement("chapter", path.stem, label, f"failed: {last[:200]}"))
                print(f"  {path.stem} ({label}): FAILED {last[:200]}", flush=True)
    return rows


def measure(repo: Path, cache_dir: Path, names: list[str] | None = None, warm: bool = True,
            timeout: int = 900) -> list[Measurement]:
    """Cold pass (empty cache) and, if ``warm``, a second pass with the cache the first one filled."""
    files = chapter_files(repo, names)
    print(f"chapters: {len(files)} to execute", flush=True)
    rows = execute_pass(files, cache_dir, "cold cache", timeout)
    if warm:
        rows += execute_pass(files, cache_dir, "warm cache", timeout)
    return rows
