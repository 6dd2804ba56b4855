"""Deliberately wrong solutions must be rejected, by the check meant to catch them.

Each ``tests/wrong_variants/<variant>/<exercise>.py`` is a complete exercise module with one mistake. It
takes everything from the reference solution (``from solutions.<exercise> import *``) and redefines only
the wrong function, and any solution function that calls it: a function looks names up in the module
that defines it, so the solution's caller would still call the solution's version. Its header names the
mistake and the checks that must fail::

    # caught-by: test_non_centred_posterior, test_centred_structure
    # mistake: the likelihood uses sd**2 (a variance) where Normal expects the standard error

The named checks run against the variant folder in a subprocess (``--target``), only those to keep
the run short (a structural mistake then costs no model fit); every one must FAIL (not error), and
no failure may be "not implemented yet". To see every check a variant trips, run the whole file:
``python -m pytest tests/exercises/test_<exercise>.py --target tests/wrong_variants/<variant>``.
"""
import re
from pathlib import Path

import pytest

from grading_run import CHECKS_DIR, run_checks

VARIANTS_DIR = Path(__file__).resolve().parent / "wrong_variants"
VARIANT_FILES = sorted(VARIANTS_DIR.glob("*/ex[0-9][0-9]_*.py"))


def declared(path: Path, key: str) -> str:
    match = re.search(rf"^# {key}:\s*(.+)$", path.read_text(encoding="utf-8"), re.M)
    assert match, f"{path} has no '# {key}: ...' line"
    return match.group(1).strip()


@pytest.mark.parametrize("variant", VARIANT_FILES, ids=lambda p: p.parent.name)
def test_variant_is_rejected_by_the_intended_check(variant):
    caught_by = [name.strip() for name in declared(variant, "caught-by").split(",") if name.strip()]
    mistake = declared(variant, "mistake")
    check_file = CHECKS_DIR / f"test_{variant.stem}.py"
    assert check_file.is_file(), f"no checks for {variant.stem}"
    run = run_checks([f"{check_file}::{name}" for name in caught_by], variant.parent)
    assert run.results and run.returncode in (0, 1), (
        f"the check run broke (exit {run.returncode}; a caught-by name that is no check gives exit 4):\n"
        f"{run.output[-3000:]}")

    failed = {r.function for r in run.results if r.outcome == "failed"}
    errors = [f"{r.nodeid}: {r.message.strip()[:300]}" for r in run.results if r.outcome == "error"]
    unfinished = [r.nodeid for r in run.results if "not implemented yet" in r.message]
    assert not errors, "checks errored instead of failing:\n" + "\n".join(errors)
    assert not unfinished, f"a variant must be a complete module; not implemented: {unfinished}"
    missed = [name for name in caught_by if name not in failed]
    rejected_by = sorted(r.nodeid.split("::")[1] for r in run.results if r.outcome == "failed")
    assert not missed, f"mistake '{mistake}' was not caught by {missed}; failed: {rejected_by or 'nothing'}"
