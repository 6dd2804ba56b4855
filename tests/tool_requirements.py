"""Tests that need a tool from outside Python (Quarto, Chromium, axe-core, bubblewrap): on a developer's
machine without it they are skipped with the reason; in CI (``CI=true``), which installs them, they fail."""
import os

import pytest


def require(problem: str | None) -> None:
    """Do nothing when ``problem`` is None; otherwise skip, or fail in CI, saying what is missing."""
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI must run this test; .ci/run installs what it needs)")
    pytest.skip(problem)
