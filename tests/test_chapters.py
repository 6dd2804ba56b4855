"""Every page of the book executes top to bottom, in its own folder, as Quarto would run it.

Where Quarto is installed (CI), the render test of tests/site executes every chapter itself, so this
nbclient run is left out there rather than executing the chapters twice.
"""
import shutil

import pytest

from coursekit import book, chapters
from coursekit.paths import REPO_ROOT

EXECUTABLE = [page for page in book.pages() if page.suffix == ".qmd"]


@pytest.mark.chapter
@pytest.mark.skipif(shutil.which("quarto") is not None,
                    reason="Quarto is installed: tests/site/test_render.py executes every chapter in its render")
@pytest.mark.parametrize("page", EXECUTABLE, ids=lambda page: page.stem)
def test_page_executes(page, record_property):
    notebook, seconds = chapters.execute(page)
    record_property("seconds", round(seconds, 1))
    print(f"{page.relative_to(REPO_ROOT)} executed in {seconds:.1f} s")
    errors = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    assert not errors


@pytest.mark.chapter
def test_inline_expressions_are_executed(tmp_path):
    """A prose number must come from code: an inline expression that fails to evaluate fails the page."""
    page = tmp_path / "bad.qmd"
    page.write_text('---\ntitle: "Bad"\n---\n\n```{python}\nx = 2\n```\n\nThe value is `{python} y`.\n')
    with pytest.raises(Exception, match="NameError"):
        chapters.execute(page)


def test_diagram_cells_are_kept_as_text_and_inline_code_becomes_cells(tmp_path):
    page = tmp_path / "diagram.qmd"
    page.write_text("```{mermaid}\nflowchart LR\n  A --> B\n```\n\nValue `{python} 1 + 1`.\n")
    notebook = chapters.to_notebook(page)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code == ["str(1 + 1)"]
    assert any("flowchart LR" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")
