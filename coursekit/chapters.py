"""Turn a chapter's ``.qmd`` into a Jupyter notebook and execute it the way Quarto would.

Quarto is not needed: jupytext reads the ```{python} cells (``fmt="Rmd"``); diagram cells
(```{mermaid}, ```{dot}) are kept as markdown because Quarto draws them, not the kernel; and
every inline expression `` `{python} expr` `` is evaluated in a cell placed where it appears,
so a number quoted in prose must come from code that ran.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

INLINE_EXPRESSION = re.compile(r"`\{python\}\s+([^`]+)`")


def inline_expressions(markdown: str) -> list[str]:
    """The Python expressions of a markdown cell's inline `` `{python} ...` `` code."""
    return [match.strip() for match in INLINE_EXPRESSION.findall(markdown)]


def to_notebook(qmd_path: Path) -> nbformat.NotebookNode:
    """The chapter as a notebook: python cells to run, diagrams as text, inline expressions as cells."""
    notebook = jupytext.reads(Path(qmd_path).read_text(encoding="utf-8"), fmt="Rmd")
    main_language = notebook.metadata.get("jupytext", {}).get("main_language", "python")
    cells = []
    for cell in notebook.cells:
        language = cell.metadata.get("language", main_language)
        if cell.cell_type == "code" and language != "python":
            cells.append(nbformat.v4.new_markdown_cell(f"```{language}\n{cell.source}\n```"))
            continue
        cells.append(cell)
        if cell.cell_type == "markdown":
            for expression in inline_expressions(cell.source):
                check = nbformat.v4.new_code_cell(f"str({expression})")
                check.metadata["inline_expression"] = expression
                cells.append(check)
    notebook.cells = cells
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return notebook


def execute(qmd_path: Path, timeout: int = 900) -> tuple[nbformat.NotebookNode, float]:
    """Run the chapter top to bottom in its own directory; return the notebook and the seconds taken."""
    qmd_path = Path(qmd_path).resolve()
    notebook = to_notebook(qmd_path)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(qmd_path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start
