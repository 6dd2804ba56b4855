"""Tables as readers see them: fixed decimals, whole numbers for counts, a dash for missing values."""
import numpy as np
import pandas as pd

from coursekit.mcmc import for_display
from coursekit.tables import markdown_table


def test_markdown_table_formats_each_kind_of_cell():
    table = pd.DataFrame({"mean": [251.4, np.nan], "n": [180, 18], "label": ["a", "b"]}, index=["alpha", "beta"])
    rows = markdown_table(table).splitlines()
    assert rows[1] == "|:------|-------:|----:|:--------|"
    assert rows[2].split("|")[1:4] == [" alpha ", " 251.40 ", " 180 "]
    assert "—" in rows[3] and "nan" not in rows[3].lower()


def test_summary_for_display_shows_whole_ess_and_two_decimal_r_hat():
    summary = pd.DataFrame({"mean": [1.23456], "ess_bulk": [1438.42], "ess_tail": [999.6], "r_hat": [1.0]},
                           index=["mu"])
    shown = for_display(summary)
    assert shown.loc["mu", "ess_bulk"] == 1438 and shown.loc["mu", "ess_tail"] == 1000
    assert shown.loc["mu", "r_hat"] == "1.00" and shown.loc["mu", "mean"] == 1.23


def test_markdown_table_spells_out_multi_level_rows_and_drops_a_plain_row_number():
    table = pd.DataFrame({"divergences": [166, 0]},
                         index=pd.MultiIndex.from_tuples([("centred", 0.8), ("non-centred", 0.99)],
                                                         names=["parameterisation", "target"]))
    assert markdown_table(table).splitlines()[2] == "| centred            |     0.80 |           166 |"
    plain = markdown_table(pd.DataFrame({"study": [1, 2], "y": [2.5, -1.15]}))
    assert plain.splitlines()[0] == "|   study |     y |"
