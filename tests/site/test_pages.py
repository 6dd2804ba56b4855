"""Every page of the student edition, opened in headless Chromium at laptop and phone width.

A page is loaded once per width; the tests then read what a reader would meet: console errors, images
that did not load or overflow their column, sideways scrolling, leftovers of broken markup, and the
accessibility violations axe-core finds.
"""
from __future__ import annotations

import re

import pytest

from coursekit import book, browser
from coursekit.paths import REPO_ROOT

PAGES = [page.relative_to(REPO_ROOT).with_suffix(".html").as_posix() for page in book.pages()]
VIEWPORTS = list(browser.VIEWPORTS)
LEFTOVERS = re.compile(r"\?(fig|sec|eq|tbl)-|\{#fig|np\.(int|float)64\(|Traceback|Warning:|\$\$|\\\(")
"""Text that only appears when something broke: unresolved references, attribute text printed as prose,
numpy scalars' repr in prose, errors and warnings from the code, TeX that was not typeset."""
BLOCKING_IMPACTS = ("critical", "serious")

MEASURE_IMAGES = """() => [...document.querySelectorAll('main img')].map(img => {
  const box = img.getBoundingClientRect();
  const holder = img.closest('figure, .cell-output-display, p, div') || img.parentElement;
  const style = getComputedStyle(holder);
  const room = holder.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {src: img.getAttribute('src'), loaded: img.complete && img.naturalWidth > 0,
          width: box.width, room: room, right: box.right, alt: img.getAttribute('alt') || '',
          caption: img.closest('figure')?.querySelector('figcaption')?.innerText || '',
          inFigure: img.closest('figure') !== null};
})"""
PAGE_WIDTHS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
RUN_AXE = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"


class LoadedPage:
    """What one page shows at one width, measured once."""

    def __init__(self, chromium, site_url: str, relative: str, viewport: str, axe_source: str):
        context = chromium.new_context(viewport=browser.VIEWPORTS[viewport])
        page = context.new_page()
        self.errors: list[str] = []
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: self.errors.append(f"request failed: {request.url}"))
        page.on("response", lambda response: self.errors.append(f"HTTP {response.status}: {response.url}")
                if response.status >= 400 else None)
        self.third_party: list[str] = []
        page.on("request", lambda request: None if request.url.startswith((site_url, "data:"))
                else self.third_party.append(request.url))
        page.goto(site_url + relative, wait_until="networkidle")
        self.images = page.evaluate(MEASURE_IMAGES)
        self.scroll_width, self.client_width = page.evaluate(PAGE_WIDTHS)
        self.text = page.inner_text("main")
        page.add_script_tag(content=axe_source)
        self.violations = page.evaluate(RUN_AXE)
        context.close()


@pytest.fixture(scope="session")
def loaded(chromium, site_url, axe_source):
    """``loaded(page, viewport)``: the page's measurements, taken once per session."""
    cache: dict[tuple[str, str], LoadedPage] = {}

    def get(page: str, viewport: str) -> LoadedPage:
        if (page, viewport) not in cache:
            cache[page, viewport] = LoadedPage(chromium, site_url, page, viewport, axe_source)
        return cache[page, viewport]

    return get


@pytest.mark.quarto
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_no_console_errors(loaded, page, viewport):
    assert not loaded(page, viewport).errors


@pytest.mark.quarto
@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_loaded_from_third_parties(loaded, page):
    """No CDN script or web font: the book works offline and tells no one who reads it."""
    assert not loaded(page, "desktop").third_party


@pytest.mark.quarto
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_images_load_and_fit_their_column(loaded, page, viewport):
    shown = loaded(page, viewport)
    broken = [image["src"] for image in shown.images if not image["loaded"]]
    too_wide = [f"{image['src']}: {image['width']:.0f} px in {image['room']:.0f} px" for image in shown.images
                if image["width"] > image["room"] + 1 or image["right"] > shown.client_width + 1]
    assert not broken, f"images that did not load: {broken}"
    assert not too_wide, f"images wider than their column: {too_wide}"


@pytest.mark.quarto
@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scrolling_on_a_phone(loaded, page):
    shown = loaded(page, "mobile")
    assert shown.scroll_width <= shown.client_width, (
        f"the page is {shown.scroll_width} px wide on a {shown.client_width} px screen")


@pytest.mark.quarto
@pytest.mark.parametrize("page", PAGES)
def test_no_broken_markup_in_the_text(loaded, page):
    text = loaded(page, "desktop").text
    found = sorted({text[max(0, match.start() - 30):match.end() + 30].replace("\n", " ")
                    for match in LEFTOVERS.finditer(text)})
    assert not found, f"text that shows broken markup: {found}"


@pytest.mark.quarto
@pytest.mark.parametrize("page", PAGES)
def test_every_figure_image_has_a_description(loaded, page):
    """Alt text says what is drawn: present, a sentence long, and not the caption again."""
    undescribed = [image["src"] for image in loaded(page, "desktop").images
                   if image["inFigure"] and (len(image["alt"].split()) < 6
                                             or image["alt"].strip() in image["caption"])]
    assert not undescribed, f"figures without a description of what is drawn: {undescribed}"


@pytest.mark.quarto
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violations(loaded, page, viewport):
    violations = [f"{violation['impact']} {violation['id']}: {violation['help']} "
                  f"({len(violation['nodes'])}× e.g. {violation['nodes'][0]['target']})"
                  for violation in loaded(page, viewport).violations
                  if violation["impact"] in BLOCKING_IMPACTS]
    assert not violations, "axe-core (WCAG 2.1 AA):\n" + "\n".join(violations)
