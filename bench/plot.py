"""One figure of the benchmark: a panel per measured section (grading, per exercise, chapters, ESS per second,
batch throughput)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

from bench.table import Measurement

PANELS = (
    ("grading", "Grading a full submission", "seconds", False),
    ("exercise", "Grading time per exercise", "seconds", False),
    ("chapter", "Executing each chapter", "seconds", False),
    ("peer", "ESS_bulk per second (warm fit)", "min ESS_bulk / s (log scale)", True),
    ("cluster", "Batch grading throughput", "submissions per minute", False),
)
TARGETS = {"cold": 60.0, "warm": 20.0}


def series(measurements: list[Measurement], section: str) -> tuple[list[str], dict[str, list[float]]]:
    """(items, {series name: value per item}) of the numeric values to draw in a section's panel."""
    chosen = [m for m in measurements if m.section == section and not isinstance(m.value, str)]
    if section == "peer":
        chosen = [m for m in chosen if m.metric == "ESS_bulk/s"]
    elif section == "grading":
        chosen = [m for m in chosen if m.unit == "s"]
    elif section == "cluster":
        chosen = [m for m in chosen if m.metric == "submissions per minute"]
    items = list(dict.fromkeys(m.item for m in chosen))
    names = list(dict.fromkeys(f"{m.framework} {m.metric}".strip() for m in chosen))
    values = {name: [np.nan] * len(items) for name in names}
    for m in chosen:
        values[f"{m.framework} {m.metric}".strip()][items.index(m.item)] = m.value
    return items, values


def grouped_bars(ax, items: list[str], values: dict[str, list[float]], log: bool) -> None:
    width = 0.8 / max(len(values), 1)
    positions = np.arange(len(items))
    for k, (name, heights) in enumerate(values.items()):
        ax.bar(positions + (k - (len(values) - 1) / 2) * width, heights, width, label=name)
    ax.set_xticks(positions, items, rotation=30, ha="right", fontsize="small")
    if log:
        ax.set_yscale("log")
    if len(values) > 1:
        ax.legend(fontsize="small")


def plot(measurements: list[Measurement], path: Path, title: str = "") -> None:
    """Draw a panel for each section this run measured (two to a row) and save the figure to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(panel, series(measurements, panel[0])) for panel in PANELS]
    panels = [(panel, drawn) for panel, drawn in panels if drawn[0]]
    columns = min(2, max(1, len(panels)))
    rows = max(1, -(-len(panels) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(6 * columns, 4.25 * rows), squeeze=False)
    if not panels:
        axes[0, 0].text(0.5, 0.5, "nothing measured in this run", ha="center", va="center")
    for ax in axes.flat[len(panels):]:
        ax.set_axis_off()
    for ax, ((section, panel_title, ylabel, log), (items, values)) in zip(axes.flat, panels):
        ax.set_title(panel_title)
        grouped_bars(ax, items, values, log)
        ax.set_ylabel(ylabel)
        if section == "grading":
            for label, target in TARGETS.items():
                ax.axhline(target, linestyle="--", linewidth=1, color="grey")
                ax.annotate(f"{label} target {target:g} s", (ax.get_xlim()[0], target),
                            xytext=(4, 3), textcoords="offset points", fontsize="small", color="grey")
    if title:
        fig.suptitle(textwrap.fill(title, 70 * columns), fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
