"""Paths and limits shared by the grader's tests (importable: pytest puts this folder on sys.path)."""
import os
import shutil
from pathlib import Path

from autograder.isolation import Limits
from autograder.sandbox import bwrap_problem
from tool_requirements import require

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COURSE = FIXTURES / "course"
SUBMISSIONS = FIXTURES / "submissions"
REPO_ROOT = Path(__file__).resolve().parents[2]

FAST_LIMITS = Limits(timeout=20, memory_mb=1500, output_kb=256)
"""Small limits so hostile cases end fast (a fake check takes a few seconds, mostly importing JAX)."""


def require_bwrap() -> None:
    """Skip a test that needs bubblewrap where it cannot run, except in CI (``CI=true``): there it fails."""
    require(bwrap_problem(shutil.which("bwrap")))


def default_sandbox() -> str:
    """The sandbox the shared test grader uses: bubblewrap wherever it runs (always in CI), else none."""
    return "none" if bwrap_problem(shutil.which("bwrap")) and os.environ.get("CI") != "true" else "bwrap"
