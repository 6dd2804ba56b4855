"""One figure of the benchmark: grading, per-exercise, chapter and ESS-per-second panels."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.table import Measurement

PANELS = (
    ("grading", "Grading a full submission", "seconds", False),
    ("exercise", "Grading time per exercise", "seconds", False),
    ("chapter", "Executing each chapter", "seconds", False),
    ("peer", "ESS_bulk per second (warm fit)", "min ESS_bulk / s (log scale)", True),
)
TARGETS = {"cold": 60.0, "warm": 20.0}


def series(measurements: list[Measurement], section: str) -> tuple[list[str], dict[str, list[float]]]:
    """(items, {series name: value per item}) of the numeric values to draw in a section's panel."""
    chosen = [m for m in measurements if m.section == section and not isinstance(m.value, str)]
    if section == "peer":
        chosen = [m for m in chosen if m.metric == "ESS_bulk/s"]
    elif section == "grading":
        chosen = [m for m in chosen if m.unit == "s"]
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
    """Draw the four panels (an empty one says what was not measured) and save the figure to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    for ax, (section, panel_title, ylabel, log) in zip(axes.flat, PANELS):
        items, values = series(measurements, section)
        ax.set_title(panel_title)
        if not items:
            ax.text(0.5, 0.5, "not measured in this run", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
            continue
        grouped_bars(ax, items, values, log)
        ax.set_ylabel(ylabel)
        if section == "grading":
            for label, target in TARGETS.items():
                ax.axhline(target, linestyle="--", linewidth=1, color="grey")
                ax.annotate(f"{label} target {target:g} s", (ax.get_xlim()[0], target),
                            xytext=(4, 3), textcoords="offset points", fontsize="small", color="grey")
    if title:
        fig.suptitle(title, fontsize="medium")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
