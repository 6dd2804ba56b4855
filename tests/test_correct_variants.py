"""Correct answers written differently from the solution must earn the points of the checks they answer.

Each ``tests/correct_variants/<variant>/<exercise>.py`` takes the reference solution and redefines one
function another correct way; its header names the checks it must pass. Model rewrites are generated
instead (``test_equivalent_rewrites.py``); these cover the functions that are not models.
"""
import re
from pathlib import Path

import pytest

from grading_run import CHECKS_DIR, run_checks

VARIANTS_DIR = Path(__file__).resolve().parent / "correct_variants"
VARIANT_FILES = sorted(VARIANTS_DIR.glob("*/ex[0-9][0-9]_*.py"))


@pytest.mark.parametrize("variant", VARIANT_FILES, ids=lambda p: p.parent.name)
def test_variant_earns_the_points(variant):
    header = re.search(r"^# full-marks-on:\s*(.+)$", variant.read_text(encoding="utf-8"), re.M)
    assert header, f"{variant} has no '# full-marks-on: ...' line"
    checks = [name.strip() for name in header.group(1).split(",") if name.strip()]
    run = run_checks([CHECKS_DIR / f"test_{variant.stem}.py::{name}" for name in checks], variant.parent)
    assert run.results and run.returncode in (0, 1), f"the check run broke (exit {run.returncode}):\n{run.output[-3000:]}"
    lost = [f"{r.nodeid}: {r.message.strip()[:400]}" for r in run.results if r.outcome != "passed"]
    assert not lost, "a correct answer lost points:\n" + "\n".join(lost)
