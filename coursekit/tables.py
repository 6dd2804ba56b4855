"""Show pandas tables in the book as Markdown, which Quarto turns into plain, styled HTML tables.

A ``text/html`` output makes Quarto load require.js and jQuery from a CDN on that page (it cannot tell a
table from a JavaScript widget), which fails offline and sends readers to a third party. A Markdown
table needs no script, takes the theme's table style and Quarto's ``tbl-cap`` captions.
"""
from __future__ import annotations

import re

import pandas as pd

NUMBER = re.compile(r"[-+−]?\d[\d,]*(\.\d+)?(e[-+]?\d+)?%?")
MISSING = "—"
"""What a reader sees in a cell with no value (never "NaN")."""


def looks_numeric(value) -> bool:
    """True for numbers and for cells that print as one (so they align right, like numbers)."""
    return value == MISSING or bool(NUMBER.fullmatch(str(value)))


def markdown_table(table: pd.DataFrame, digits: int = 2) -> str:
    """A pipe table: floats to ``digits`` decimals, integers as integers, missing values as a dash.

    A row index of several levels becomes ordinary columns, and a plain 0, 1, 2, ... index is left out.
    """
    show_index = not isinstance(table.index, pd.RangeIndex) or table.index.name is not None
    if isinstance(table.index, pd.MultiIndex):
        table, show_index = table.reset_index(), False
    shown = table.astype(object).where(table.notna(), MISSING)
    for column in table.columns:
        if pd.api.types.is_float_dtype(table[column]):
            shown[column] = [MISSING if pd.isna(value) else f"{value:.{digits}f}" for value in table[column]]
    alignment = ["right" if all(looks_numeric(value) for value in shown[column]) else "left"
                 for column in shown.columns]
    if show_index:
        alignment.insert(0, "left")
    return shown.to_markdown(tablefmt="pipe", disable_numparse=True, colalign=alignment, index=show_index)


def show_tables_as_markdown(digits: int = 2) -> None:
    """Make IPython display every DataFrame as a Markdown table (no-op outside IPython)."""
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return
    formatters = shell.display_formatter.formatters
    formatters["text/html"].for_type(pd.DataFrame, lambda table: None)
    formatters["text/markdown"].enabled = True
    formatters["text/markdown"].for_type(pd.DataFrame, lambda table: markdown_table(table, digits))
