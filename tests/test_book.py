"""The book's structure: pages exist, cross-references resolve, citations exist."""
import re
from collections import Counter

import pytest

from coursekit import book
from coursekit.paths import REPO_ROOT

PAGES = book.pages()
PAGE_TEXT = {page: page.read_text(encoding="utf-8") for page in PAGES if page.is_file()}


def page_text(page):
    """A listed page's source, failing the test by name when the page is missing."""
    if page not in PAGE_TEXT:
        pytest.fail(f"{page.relative_to(REPO_ROOT)} is listed in _quarto.yml but does not exist")
    return PAGE_TEXT[page]


def test_every_listed_page_exists():
    missing = [str(page.relative_to(REPO_ROOT)) for page in PAGES if not page.is_file()]
    assert not missing, f"_quarto.yml lists pages that do not exist: {missing}"


def test_book_lists_every_chapter_file():
    chapters = sorted((REPO_ROOT / "chapters").glob("*.qmd"))
    unlisted = [str(path.relative_to(REPO_ROOT)) for path in chapters if path not in PAGES]
    assert not unlisted, f"chapter files missing from _quarto.yml: {unlisted}"


def test_every_label_is_defined_once():
    counts = Counter(label for text in PAGE_TEXT.values() for label in book.defined_labels(text))
    repeated = sorted(label for label, count in counts.items() if count > 1)
    assert not repeated, f"labels defined more than once: {repeated}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_cross_references_resolve(page):
    defined = {label for text in PAGE_TEXT.values() for label in book.defined_labels(text)}
    dangling = sorted(book.crossrefs(page_text(page)) - defined)
    assert not dangling, f"{page.name} refers to undefined labels: {dangling}"


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_citations_exist_in_bibliography(page):
    unknown = sorted(book.citations(page_text(page)) - set(book.bibliography_keys()))
    assert not unknown, f"{page.name} cites keys missing from references.bib: {unknown}"


def test_bibliography_keys_are_unique():
    counts = Counter(book.bibliography_keys())
    assert not [key for key, count in counts.items() if count > 1]


def test_instructor_profile_exists_and_chapters_use_it():
    assert (REPO_ROOT / "_quarto-instructor.yml").is_file()
    marker = 'when-profile="instructor"'
    assert any(marker in text for text in PAGE_TEXT.values()), "no page has instructor-only content"


def test_scanner_finds_dangling_references_and_unknown_keys():
    """The checks above can fail: a made-up page with a bad reference and citation is caught."""
    text = "See @fig-nowhere and [@nobody1999].\n\n```{python}\n#| label: fig-real\n```\n`@decorator`"
    assert book.crossrefs(text) == {"fig-nowhere"}
    assert book.citations(text) == {"nobody1999"}
    assert book.defined_labels(text) == ["fig-real"]


OPTION_LINE = re.compile(r"^\s*(#\||//\|)(.*)$")
OPTION_START = re.compile(r"^\s*[\w-]+:")


def broken_markup(text: str) -> list[str]:
    """Source lines Quarto or pandoc misread: a cell option continued on another ``#|`` line (the
    figure loses its caption and number), and prose starting with ``(@`` (a pandoc example list)."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        option = OPTION_LINE.match(line)
        if option and option.group(2).strip() and not OPTION_START.match(option.group(2)):
            problems.append(f"line {number}: cell option continues on a new line: {line.strip()[:60]}")
        if line.startswith("(@"):
            problems.append(f"line {number}: starts with '(@', which pandoc reads as an example list")
    return problems


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_no_markup_that_quarto_misreads(page):
    assert not broken_markup(page_text(page))


def test_misread_markup_is_found():
    """The check can fail: a two-line caption and a line opening with an equation reference are caught."""
    text = '```{python}\n#| fig-cap: "A long\n#|   caption"\n```\n(@eq-x) shows it.\n'
    assert [problem.split(":")[0] for problem in broken_markup(text)] == ["line 3", "line 5"]


SEED_DIR = REPO_ROOT.parent / "shared" / "seed"
"""The syllabus the book was written from; the prose must be the book's own, not the seed's."""
RUN_LENGTH = 12
WORD = re.compile(r"[a-z0-9]+")


def shared_runs(text: str, source_runs: set) -> list[str]:
    """Runs of RUN_LENGTH words of ``text``'s prose (code blocks left out) that also occur in the source."""
    words = WORD.findall(book.FENCED_CODE.sub(" ", text).lower())
    return [" ".join(words[i:i + RUN_LENGTH]) for i in range(len(words) - RUN_LENGTH + 1)
            if tuple(words[i:i + RUN_LENGTH]) in source_runs]


def word_runs(text: str) -> set:
    words = WORD.findall(text.lower())
    return {tuple(words[i:i + RUN_LENGTH]) for i in range(len(words) - RUN_LENGTH + 1)}



@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="the seed document (../shared/seed) is not beside this repository")
@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_prose_is_our_own(page):
    seed_runs = set().union(*(word_runs(path.read_text(encoding="utf-8")) for path in SEED_DIR.glob("*.txt")))
    copied = shared_runs(page_text(page), seed_runs)
    assert not copied, f"{len(copied)} runs of {RUN_LENGTH} words match the seed, e.g. {copied[:2]}"


def test_copied_runs_are_found():
    """The check can fail: a sentence taken over from the source is reported, code is not."""
    source = "each study involved administering aspirin to some victims immediately after the heart attack today"
    found = shared_runs(source + "\n```\n" + source + "\n```\n", word_runs(source))
    assert found[0] == "each study involved administering aspirin to some victims immediately after the heart"
    assert len(found) == 3  # the 14-word sentence once, not again from the code block


# ---------------------------------------------------------------- the Bayesian workflow in every worked case

WORKFLOW_STEPS = {
    "a prior predictive check (Predictive without posterior samples)":
        re.compile(r"Predictive\((?![^)\n]*posterior_samples)[^)\n]*num_samples"),
    "rank plots (ArviZ)": re.compile(r"kind=\"rank_(bars|vlines)\"|az\.plot_rank\("),
    "a posterior predictive check (Predictive with posterior samples)": re.compile(r"posterior_samples="),
    "a PSIS-LOO comparison (az.compare)": re.compile(r"az\.compare\("),
}
WORKED_CASES = [page for page in PAGES if re.match(r"0[3-7]-", page.name)]


def missing_workflow_steps(text: str) -> list[str]:
    return [step for step, pattern in WORKFLOW_STEPS.items() if not pattern.search(text)]


@pytest.mark.parametrize("page", WORKED_CASES, ids=lambda p: p.stem)
def test_every_worked_case_walks_the_workflow(page):
    assert not missing_workflow_steps(page_text(page)), f"{page.name} lacks {missing_workflow_steps(page_text(page))}"


def test_a_missing_workflow_step_is_found():
    assert missing_workflow_steps("mcmc.fit(model)\naz.plot_trace(idata)") == list(WORKFLOW_STEPS)
    text = ('Predictive(model, num_samples=500)\naz.plot_trace(idata, kind="rank_bars")\n'
            'Predictive(model, posterior_samples=draws)\naz.compare({"a": a, "b": b})')
    assert missing_workflow_steps(text) == []
    assert missing_workflow_steps(text.replace("num_samples=500", "posterior_samples=draws, num_samples=500")) == [
        "a prior predictive check (Predictive without posterior samples)"]


def test_no_hand_written_convergence_diagnostics_remain():
    """R-hat, ESS and MCSE come from ArviZ (issue 13): no module computes them by hand."""
    sources = [*REPO_ROOT.glob("coursekit/*.py"), *REPO_ROOT.glob("autograder/*.py"), *REPO_ROOT.glob("bench/*.py"),
               *REPO_ROOT.glob("chapters/*.qmd"), *REPO_ROOT.glob("solutions/*.py"), *REPO_ROOT.glob("exercises/*.py")]
    hand_written = re.compile(r"split_gelman_rubin|effective_sample_size|numpyro\.diagnostics|autocorrelation\(")
    offenders = [f"{path.relative_to(REPO_ROOT)}: {match.group(0)}" for path in sources
                 for match in [hand_written.search(path.read_text(encoding="utf-8"))] if match]
    assert not offenders, offenders
