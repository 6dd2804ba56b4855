"""Full-page screenshots of every page of the rendered book, at desktop and phone width.

    python scripts/screenshots.py [SITE] [--out build/screenshots]      (or: make screenshots)

Writes ``<page>-desktop.png`` (1280 px) and ``<page>-mobile.png`` (390 px) for each page, so a person
can look at the site as readers will. SITE defaults to ``_book`` (render it first with ``make site``).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coursekit import browser
from coursekit.paths import REPO_ROOT


def screenshot_name(page: str, viewport: str) -> str:
    """``chapters/05-sleepstudy.html`` at ``mobile`` -> ``chapters-05-sleepstudy-mobile.png``."""
    return f"{page.removesuffix('.html').replace('/', '-')}-{viewport}.png"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", type=Path, default=REPO_ROOT / "_book")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "screenshots")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").is_file():
        print(f"{args.site} holds no rendered book (no index.html): run 'make site' first", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    pages = browser.site_pages(args.site)
    with browser.serve(args.site) as base_url, browser.chromium() as chromium:
        for viewport, size in browser.VIEWPORTS.items():
            context = chromium.new_context(viewport=size)
            page = context.new_page()
            for number, relative in enumerate(pages, start=1):
                page.goto(base_url + relative, wait_until="load")
                target = args.out / screenshot_name(relative, viewport)
                page.screenshot(path=str(target), full_page=True)
                print(f"[{viewport} {number}/{len(pages)}] {target.relative_to(args.out)}", file=sys.stderr)
            context.close()
    print(f"{2 * len(pages)} screenshots in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
