"""Open a rendered site the way a reader does: served over HTTP on 127.0.0.1, in headless Chromium.

The site is served (not opened from ``file://``) because Quarto's search fetches ``search.json``.
Chromium is the system's (Debian package ``chromium``), driven by Playwright through
``executable_path``; Playwright's own browser downloads are never used.
"""
from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

CHROMIUM_ENV = "CHROMIUM"
"""Environment variable naming the Chromium binary, when it is not ``chromium`` on PATH."""

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}
"""The two widths every page is checked and photographed at: a laptop and a phone."""


def chromium_path() -> str | None:
    """The Chromium binary to drive, or None when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request to stderr."""

    def log_message(self, format, *args):  # noqa: A002 - the name is the base class's
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1; yield its base URL (ending in ``/``)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def chromium() -> Iterator[object]:
    """A headless Chromium (a Playwright ``Browser``); raises when no Chromium is installed."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise FileNotFoundError("no Chromium found: install it (apt-get install -y chromium) "
                                f"or name the binary in ${CHROMIUM_ENV}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a rendered book, as paths relative to the site's root (``index.html`` first)."""
    pages = sorted(path.relative_to(site).as_posix() for path in site.rglob("*.html")
                   if "site_libs" not in path.parts)
    return sorted(pages, key=lambda page: page != "index.html")
