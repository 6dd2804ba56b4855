"""Paths and limits shared by the grader's tests (importable: pytest puts this folder on sys.path)."""
from pathlib import Path

from autograder.isolation import Limits

FIXTURES = Path(__file__).resolve().parent / "fixtures"
COURSE = FIXTURES / "course"
SUBMISSIONS = FIXTURES / "submissions"
REPO_ROOT = Path(__file__).resolve().parents[2]

FAST_LIMITS = Limits(timeout=20, memory_mb=1500, output_kb=256)
"""Small limits so hostile cases end fast (a fake check takes a few seconds, mostly importing JAX)."""
