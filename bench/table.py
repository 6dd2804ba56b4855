"""Benchmark results as tidy records, and the Markdown and CSV tables made from them.

Every number is one ``Measurement`` (section, item, metric, value, unit, framework); the CSV
holds them one a row, the Markdown pivots each section into a table a reader can scan.
"""
from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

SECTIONS = {
    "grading": "Grading a full submission (the reference solutions)",
    "exercise": "Time per exercise (one grader subprocess each)",
    "chapter": "Executing each chapter",
    "model": "Sampling each graded model with the grading settings",
    "peer": "NumPyro against PyMC on the same models, draws and settings",
    "cluster": "Batch grading throughput, one machine and a Dask cluster (projections in minutes)",
}


@dataclass(frozen=True)
class Measurement:
    """One number the benchmark measured or derived."""

    section: str
    item: str
    metric: str
    value: float | str
    unit: str = ""
    framework: str = ""


def ess_per_second(ess: float, seconds: float) -> float:
    """Effective draws per second of wall time; NaN when either is missing or the time is not positive."""
    if ess is None or seconds is None or not seconds > 0 or math.isnan(ess):
        return float("nan")
    return ess / seconds


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return float("nan")
    if math.isnan(numerator) or math.isnan(denominator):
        return float("nan")
    return numerator / denominator


def draws_for_floor(ess: float, num_samples: int, floor: float = 400.0, margin: float = 1.5) -> int:
    """Draws per chain that would still give ``margin`` times the ESS floor, if ESS grows with draws.

    ESS grows in proportion to the number of draws for a chain that has mixed, so a run of
    ``num_samples`` that reached ``ess`` needs ``num_samples * margin * floor / ess`` draws.
    """
    if not ess > 0:
        return num_samples
    return math.ceil(num_samples * margin * floor / ess)


def write_csv(measurements: list[Measurement], path: Path) -> None:
    """All measurements, one a row, columns as in ``Measurement``."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Measurement)])
        writer.writeheader()
        for measurement in measurements:
            writer.writerow(asdict(measurement))


def read_csv(path: Path) -> list[Measurement]:
    """Measurements written by ``write_csv``; numeric values come back as floats."""
    with open(path, newline="", encoding="utf-8") as handle:
        return [Measurement(**{**row, "value": _number(row["value"])}) for row in csv.DictReader(handle)]


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def format_value(value: float | str, unit: str = "") -> str:
    """A cell: seconds to 0.1 (0.01 below 1 s), ratios to 0.01, other numbers to 3 significant figures or whole."""
    if isinstance(value, str):
        return value
    if math.isnan(value):
        return "–"
    if unit == "s":
        return f"{value:.2f}" if abs(value) < 1 else f"{value:.1f}"
    if unit == "x":
        return f"{value:.2f}"
    if float(value).is_integer() or abs(value) >= 100:
        return f"{value:.0f}"
    return f"{value:.3g}"


def pivot(measurements: list[Measurement], section: str) -> tuple[list[str], list[list[str]]]:
    """A section as (header, rows): one row per item, one column per (framework, metric), first-seen order."""
    chosen = [m for m in measurements if m.section == section]
    columns, items, cells = [], [], {}
    for m in chosen:
        column = (m.framework, m.metric, m.unit)
        if column not in columns:
            columns.append(column)
        if m.item not in items:
            items.append(m.item)
        cells[(m.item, column)] = format_value(m.value, m.unit)
    header = [section] + [_column_title(*column) for column in columns]
    rows = [[item] + [cells.get((item, column), "") for column in columns] for item in items]
    return header, rows


def _column_title(framework: str, metric: str, unit: str) -> str:
    title = f"{framework} {metric}".strip()
    return f"{title} ({unit})" if unit and unit != "x" else title


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub-flavoured Markdown table; text columns left-aligned, the rest right-aligned."""
    def numeric(column):
        values = [row[column] for row in rows if row[column] not in ("", "–")]
        return bool(values) and all(_is_number(value) for value in values)
    align = ["---:" if column and numeric(column) else ":---" for column in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def markdown_report(measurements: list[Measurement], machine: dict, notes: list[str]) -> str:
    """The whole report: the machine, one table per section that has data, then the notes."""
    parts = ["# Benchmark results", "", "## Machine", ""]
    parts += [f"- {key}: {value}" for key, value in machine.items()]
    for section, title in SECTIONS.items():
        if any(m.section == section for m in measurements):
            parts += ["", f"## {title}", "", markdown_table(*pivot(measurements, section))]
    if notes:
        parts += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    return "\n".join(parts) + "\n"
