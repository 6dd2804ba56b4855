"""Load the course's data sets, checking each file against its documented schema.

Every CSV under ``data/`` is described here (columns, dtypes, row count, SHA-256).
A file that is missing, truncated, retyped or edited raises ``DataError`` naming
the file and the problem, so a chapter or a check never runs on silently changed data.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from coursekit.paths import DATA_DIR


class DataError(ValueError):
    """A data file is missing or does not match its documented schema."""


@dataclass(frozen=True)
class Schema:
    """What a data file must contain."""

    filename: str
    columns: dict[str, str]  # column name -> pandas dtype, in file order
    rows: int
    sha256: str


SCHEMAS: dict[str, Schema] = {
    "sleepstudy": Schema(
        filename="sleepstudy.csv",
        columns={"Reaction": "float64", "Days": "int64", "Subject": "int64"},
        rows=180,
        sha256="6d387b03ea7e8909c1efd811b7e6ad37b654dd5c9518fcc457eeb69c238b2412",
    ),
    "sleep": Schema(
        filename="sleep.csv",
        columns={"extra": "float64", "group": "int64", "ID": "int64"},
        rows=20,
        sha256="ce4284663e0dd651af11f84b235024d07bac257707062c74b744935b27028445",
    ),
    "aspirin": Schema(
        filename="aspirin.csv",
        columns={"study": "int64", "y": "float64", "sd": "float64"},
        rows=6,
        sha256="e80941cee4377d77cd04e6a1896f855cb7e80d2493828c11a3915ef3214e8d8f",
    ),
}

RESTORE_HINT = (
    "Restore it with `git checkout -- data/{filename}` "
    "or regenerate every file with `python data/make_data.py`."
)


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read data set ``name`` (a key of ``SCHEMAS``) and validate it before returning it."""
    if name not in SCHEMAS:
        raise DataError(f"unknown data set {name!r}; known: {', '.join(sorted(SCHEMAS))}")
    schema = SCHEMAS[name]
    path = Path(data_dir or DATA_DIR) / schema.filename
    if not path.is_file():
        raise DataError(f"{path} is missing. " + RESTORE_HINT.format(filename=schema.filename))
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataError(f"{path} cannot be read as CSV: {error}. "
                        + RESTORE_HINT.format(filename=schema.filename)) from error
    validate(frame, schema, path)
    actual = sha256_of(path)
    if actual != schema.sha256:
        raise DataError(
            f"{path} has the right columns and rows but its contents changed: "
            f"SHA-256 {actual} differs from the documented {schema.sha256}. "
            + RESTORE_HINT.format(filename=schema.filename)
        )
    return frame


def validate(frame: pd.DataFrame, schema: Schema, path: Path) -> None:
    """Check columns, dtypes, row count and missing values; raise ``DataError`` on the first problem."""
    expected = list(schema.columns)
    found = list(frame.columns)
    if found != expected:
        missing = [c for c in expected if c not in found]
        extra = [c for c in found if c not in expected]
        detail = "; ".join(
            part for part in (
                f"missing {missing}" if missing else "",
                f"unexpected {extra}" if extra else "",
                "columns out of order" if not missing and not extra else "",
            ) if part
        )
        raise DataError(f"{path}: columns {found} do not match {expected} ({detail})")
    if len(frame) != schema.rows:
        raise DataError(f"{path}: {len(frame)} rows, expected {schema.rows}")
    for column, dtype in schema.columns.items():
        if frame[column].isna().any():
            rows = frame.index[frame[column].isna()].tolist()
            raise DataError(f"{path}: column {column!r} has missing values in rows {rows[:10]}")
        if str(frame[column].dtype) != dtype:
            raise DataError(f"{path}: column {column!r} has dtype {frame[column].dtype}, expected {dtype}")
