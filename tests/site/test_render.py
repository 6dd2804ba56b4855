"""Both editions render from a clean copy with a clean log, every page carries its title, and the
instructor's worked solutions appear in the instructor edition only."""
import html
import re

import pytest

from coursekit import book
from coursekit.paths import REPO_ROOT

PROFILES = ["default", "instructor"]
INSTRUCTOR_BLOCK = re.compile(r'^:::+ *\{\.content-visible when-profile="instructor"\}\s*\n\s*(.+)$', re.M)


def instructor_openings(page) -> list[str]:
    """The first three words of each instructor-only block of a page's source."""
    openings = []
    for first_line in INSTRUCTOR_BLOCK.findall(page.read_text(encoding="utf-8")):
        words = re.findall(r"[A-Za-z]+", first_line)[:3]
        if words:
            openings.append(r"\W+".join(words))
    return openings


def visible_text(html_page: str) -> str:
    """The page's text with tags removed (enough to search for a sentence)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", html_page))


@pytest.mark.quarto
@pytest.mark.parametrize("profile", PROFILES)
def test_render_exits_cleanly_without_warnings(rendered, profile):
    done = rendered(profile)
    assert done.returncode == 0, f"quarto render --profile {profile} failed:\n{done.log[-3000:]}"
    assert not done.problems(), f"WARN/ERROR lines in the {profile} render:\n" + "\n".join(done.problems())


@pytest.mark.quarto
@pytest.mark.parametrize("profile", PROFILES)
def test_every_page_is_rendered_with_its_title(rendered, profile):
    site = rendered(profile).site
    for page in book.pages():
        relative = page.relative_to(REPO_ROOT).with_suffix(".html")
        assert (site / relative).is_file(), f"{relative} was not rendered ({profile})"
        assert html.escape(book.title(page), quote=False) in (site / relative).read_text(encoding="utf-8")


@pytest.mark.quarto
def test_worked_solutions_appear_in_the_instructor_edition_only(rendered):
    pages = {page: instructor_openings(page) for page in book.pages() if page.suffix == ".qmd"}
    assert any(pages.values()), "no page has an instructor-only block"
    for page, openings in pages.items():
        relative = page.relative_to(REPO_ROOT).with_suffix(".html")
        student = visible_text((rendered("default").site / relative).read_text(encoding="utf-8"))
        instructor = visible_text((rendered("instructor").site / relative).read_text(encoding="utf-8"))
        for opening in openings:
            assert re.search(opening, instructor), f"{relative}: instructor block {opening!r} missing"
            assert not re.search(opening, student), f"{relative}: instructor block {opening!r} shown to students"


def test_problem_lines_are_found_in_a_log():
    """The log check can fail: Quarto's coloured WARN line is caught, an ordinary line is not."""
    from coursekit.render import Render

    log = "Output created: _book/index.html\n\x1b[33mWARN: Unable to resolve crossref @fig-x\x1b[39m\n"
    assert Render("default", REPO_ROOT, log, 0, 1.0).problems() == ["WARN: Unable to resolve crossref @fig-x"]


def test_page_seconds_are_the_gaps_between_freeze_files(tmp_path):
    """Pages executed in this render are timed in the order they finished; frozen pages are left out."""
    import os

    from coursekit.render import page_seconds

    started = 1_000_000.0
    for page, finished in [("chapters/02-b", started + 30.0), ("chapters/01-a", started + 12.5),
                           ("chapters/00-frozen", started - 100.0)]:
        results = tmp_path / "_freeze" / page / "execute-results" / "html.json"
        results.parent.mkdir(parents=True)
        results.write_text("{}")
        os.utime(results, (finished, finished))
    assert page_seconds(tmp_path, started) == {"chapters/01-a": 12.5, "chapters/02-b": 17.5}
