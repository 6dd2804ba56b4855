"""Getting around the student edition: internal links land on a page and an anchor that exist, search
finds a word the book teaches, folded code opens, and the dark-mode switch changes the colours."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from coursekit import browser

SITE_ORIGIN = "http://site.invalid/"
"""A stand-in origin to resolve relative links against: anything that leaves it is external."""


class _LinksAndIds(HTMLParser):
    """Collects the ``href`` of every link and every ``id`` of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def parse(path: Path) -> _LinksAndIds:
    parser = _LinksAndIds()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path) -> list[str]:
    """Internal links of every page whose target file or anchor does not exist."""
    pages = {relative: parse(site / relative) for relative in browser.site_pages(site)}
    broken = []
    for relative, parsed in pages.items():
        for href in parsed.links:
            target = urlsplit(urljoin(SITE_ORIGIN + relative, href))
            if f"{target.scheme}://{target.netloc}/" != SITE_ORIGIN:
                continue
            path = unquote(target.path).lstrip("/")
            if path == "" or path.endswith("/"):
                path += "index.html"
            if not (site / path).is_file():
                broken.append(f"{relative}: {href} (no file {path})")
            elif target.fragment and path.endswith(".html"):
                ids = pages[path].ids if path in pages else parse(site / path).ids
                if unquote(target.fragment) not in ids:
                    broken.append(f"{relative}: {href} (no anchor #{target.fragment} in {path})")
    return broken


@pytest.mark.quarto
def test_internal_links_resolve(student_site):
    assert not broken_links(student_site)


def test_broken_links_are_found(tmp_path):
    """The link check can fail: a missing page and a missing anchor are both reported."""
    (tmp_path / "index.html").write_text('<a href="gone.html">x</a><a href="#nowhere">y</a><a href="#here" id="here">z</a>')
    assert broken_links(tmp_path) == ["index.html: gone.html (no file gone.html)",
                                      "index.html: #nowhere (no anchor #nowhere in index.html)"]


@pytest.fixture
def tab(chromium, site_url):
    """A fresh desktop browser tab on the served student edition."""
    context = chromium.new_context(viewport=browser.VIEWPORTS["desktop"])
    yield context.new_page()
    context.close()


@pytest.mark.quarto
def test_search_finds_shrinkage(tab, site_url):
    tab.goto(site_url + "index.html", wait_until="networkidle")
    tab.click("#quarto-search")
    tab.keyboard.type("shrinkage")
    results = tab.locator(".aa-Item")
    results.first.wait_for(timeout=10_000)
    assert "hrinkage" in results.first.inner_text()


@pytest.mark.quarto
def test_folded_code_opens_and_closes(tab, site_url):
    tab.goto(site_url + "chapters/02-hierarchies.html", wait_until="networkidle")
    folded = tab.locator("details.code-fold").first
    before = folded.evaluate("details => details.open")
    folded.locator("summary").click()
    assert folded.evaluate("details => details.open") is not before
    folded.locator("summary").click()
    assert folded.evaluate("details => details.open") is before


@pytest.mark.quarto
def test_dark_mode_toggle_changes_the_colours(tab, site_url):
    tab.goto(site_url + "index.html", wait_until="networkidle")
    colours = "() => [document.body.classList.contains('quarto-dark'), getComputedStyle(document.body).backgroundColor]"
    light_dark, light_background = tab.evaluate(colours)
    tab.click(".quarto-color-scheme-toggle")
    dark, dark_background = tab.evaluate(colours)
    assert (light_dark, dark) == (False, True)
    assert dark_background != light_background
