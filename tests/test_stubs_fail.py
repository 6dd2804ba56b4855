"""The untouched stubs earn nothing: every graded check FAILS with "not implemented yet" (no errors)."""

import pytest

from grading_run import CHECKS_DIR, ROOT, run_checks

STUBS = ROOT / "exercises"
CHECK_FILES = sorted(CHECKS_DIR.glob("test_ex*.py"))


@pytest.fixture(scope="module")
def stub_run():
    return run_checks(CHECK_FILES, STUBS)


def test_the_run_itself_works(stub_run):
    assert stub_run.returncode == 1, f"pytest exited {stub_run.returncode} (1 = some checks failed):\n{stub_run.output}"
    assert stub_run.results, f"no checks ran:\n{stub_run.output}"


@pytest.mark.parametrize("check_file", [p.name for p in CHECK_FILES])
def test_every_graded_check_fails_as_not_implemented(stub_run, check_file):
    results = [r for r in stub_run.results if r.nodeid.startswith(check_file)]
    assert results, f"no check of {check_file} ran against the stubs:\n{stub_run.output[-3000:]}"
    ungraded = [r.nodeid for r in results if r.points is None]
    assert not ungraded, f"checks without @pytest.mark.points: {ungraded}"
    wrong = [f"{r.nodeid}: {r.outcome}: {r.message.strip()[:300]}" for r in results
             if r.outcome != "failed" or "not implemented yet" not in r.message]
    assert not wrong, "against the stubs these checks did not fail with 'not implemented yet':\n" + "\n".join(wrong)
