"""The rendered book as readers meet it: one Quarto render per profile, served to headless Chromium.

Tools these tests need (Quarto, Chromium, axe-core) are skipped with the reason on a developer's
machine that lacks them, and fail in CI (``CI=true``), where ``.ci/run`` installs them.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from coursekit import browser, render
from coursekit.paths import REPO_ROOT
from tool_requirements import require

SITE_ENV = "BOOK_SITE"
"""An already rendered student edition to test instead of rendering one (for work on these tests)."""
AXE_ENV = "AXE_CORE_JS"
AXE_DEFAULT = REPO_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
RENDER_SECONDS = pytest.StashKey[dict]()
PAGE_SECONDS = pytest.StashKey[dict]()


def available(found, what: str, how: str):
    """``found`` when it is set; otherwise skip (a developer's machine) or fail (CI) naming the tool."""
    require(None if found else f"{what} is not available: {how}")
    return found


@pytest.fixture(scope="session")
def quarto() -> str:
    return available(shutil.which("quarto"), "quarto", "install Quarto (see README) and put it on PATH")


@pytest.fixture(scope="session")
def book_copy(tmp_path_factory) -> Path:
    """A clean copy of the repository, rendered into by every profile in turn."""
    return render.clean_copy(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="session")
def rendered(quarto, book_copy, request):
    """``rendered(profile)``: the Render of that profile, run once per session (default first)."""
    renders: dict[str, render.Render] = {}
    seconds = request.config.stash.setdefault(RENDER_SECONDS, {})
    pages = request.config.stash.setdefault(PAGE_SECONDS, {})

    def get(profile: str) -> render.Render:
        if "default" not in renders:  # the default render executes the chapters; others reuse its freeze
            renders["default"] = render.render(book_copy, quarto, "default")
        if profile not in renders:
            renders[profile] = render.render(book_copy, quarto, profile)
        seconds.update({name: round(done.seconds, 1) for name, done in renders.items()})
        pages.update(renders["default"].page_seconds)
        return renders[profile]

    return get


@pytest.fixture(scope="session")
def student_site(request) -> Path:
    """The default (student) edition's output folder; fails when the render itself failed."""
    if os.environ.get(SITE_ENV):
        return Path(os.environ[SITE_ENV])
    done = request.getfixturevalue("rendered")("default")
    assert done.returncode == 0, f"quarto render failed:\n{done.log[-3000:]}"
    return done.site


@pytest.fixture(scope="session")
def site_url(student_site):
    """The student edition served on 127.0.0.1 for the whole session."""
    with browser.serve(student_site) as url:
        yield url


@pytest.fixture(scope="session")
def chromium():
    available(browser.chromium_path(), "Chromium", "apt-get install -y chromium (or set $CHROMIUM)")
    with browser.chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = Path(os.environ.get(AXE_ENV, AXE_DEFAULT))
    available(path.is_file(), f"axe-core ({path})", "run 'make tools' (npm install axe-core)")
    return path.read_text(encoding="utf-8")


def pytest_terminal_summary(terminalreporter, config):
    """Say how long each profile took to render, and each page to execute (CI logs keep it)."""
    seconds = config.stash.get(RENDER_SECONDS, None)
    if seconds:
        terminalreporter.write_line(f"quarto render seconds per profile: {seconds}")
    pages = config.stash.get(PAGE_SECONDS, None)
    if pages:
        terminalreporter.write_line(f"seconds per executed page (the first with Quarto's start-up): {pages}")
