"""Small pieces of the grader: finding a submission's modules, reading events, manifests, the ini, the
catalog cache."""
import os
import shutil

import pytest
from grader_support import COURSE

from autograder import catalog, manifest
from autograder.grade import GradeOptions, Grader, locate_exercises, module_problem
from autograder.progress import QUIET, Progress
from autograder.isolation import EventReader, changed_files, tail, tree_digest


def test_exercises_are_found_at_the_top_one_level_down_or_loose(tmp_path):
    (tmp_path / "repo" / "exercises").mkdir(parents=True)
    assert locate_exercises(tmp_path / "repo") == (tmp_path / "repo" / "exercises", "")
    (tmp_path / "zip" / "course-main" / "exercises").mkdir(parents=True)
    assert locate_exercises(tmp_path / "zip")[0] == tmp_path / "zip" / "course-main" / "exercises"
    (tmp_path / "loose").mkdir()
    (tmp_path / "loose" / "ex01_basics.py").write_text("")
    assert locate_exercises(tmp_path / "loose")[0] == tmp_path / "loose"


def test_empty_and_unrelated_submissions_say_why(tmp_path):
    (tmp_path / "empty").mkdir()
    assert locate_exercises(tmp_path / "empty") == (None, "the submission is empty")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("hi")
    assert locate_exercises(tmp_path / "other") == (None, "the submission has no exercises/ folder")
    (tmp_path / "file.zip").write_text("")
    assert "is not a folder" in locate_exercises(tmp_path / "file.zip")[1]


def test_a_linked_module_is_refused_so_no_instructor_file_can_be_graded(tmp_path):
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "ex01_basics.py").symlink_to(COURSE / "solutions" / "ex01_basics.py")
    assert "symbolic link" in module_problem(folder / "ex01_basics.py", folder)
    linked_folder = tmp_path / "sub"
    linked_folder.mkdir()
    (linked_folder / "exercises").symlink_to(COURSE / "solutions")
    assert locate_exercises(linked_folder)[0] is None


def test_event_reader_skips_junk_and_partial_lines(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"event": "start", "nodeid": "a"}\nnot json\n[1, 2]\n{"event": "res')
    reader = EventReader(path)
    assert reader.read() == [{"event": "start", "nodeid": "a"}]
    with open(path, "ab") as handle:
        handle.write(b'ult", "nodeid": "a"}\n')
    assert reader.read() == [{"event": "result", "nodeid": "a"}]
    assert reader.last_started == "a"


def test_tail_reads_only_the_end(tmp_path):
    path = tmp_path / "big.log"
    path.write_bytes(b"x" * 100_000 + b"THE END")
    assert tail(path, 10) == "xxxTHE END"


def test_tree_digest_sees_added_changed_and_removed_files(tmp_path):
    (tmp_path / "a.py").write_text("1")
    (tmp_path / "b.py").write_text("2")
    before = tree_digest(tmp_path)
    (tmp_path / "a.py").write_text("changed")
    (tmp_path / "b.py").unlink()
    (tmp_path / "c.py").write_text("new")
    assert changed_files(before, tree_digest(tmp_path)) == ["a.py", "b.py", "c.py"]


def test_manifest_flags_changed_missing_and_added_check_files(tmp_path):
    (tmp_path / "tests" / "exercises").mkdir(parents=True)
    (tmp_path / "tests" / "exercises" / "test_ex01.py").write_text("def test(): pass\n")
    (tmp_path / "tests" / "conftest.py").write_text("")
    manifest.write(tmp_path)
    assert manifest.verify(tmp_path) == []
    (tmp_path / "tests" / "exercises" / "test_ex01.py").write_text("def test(): assert True\n")
    (tmp_path / "tests" / "conftest.py").unlink()
    (tmp_path / "tests" / "exercises" / "conftest.py").write_text("")
    assert manifest.verify(tmp_path) == ["missing: tests/conftest.py", "changed: tests/exercises/test_ex01.py",
                                         "added: tests/exercises/conftest.py"]


def test_manifest_is_sha256sum_compatible(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "x.toml").write_text("a = 1\n")
    manifest.write(tmp_path)
    line = (tmp_path / manifest.MANIFEST_NAME).read_text().strip()
    checksum, name = line.split("  ")
    assert len(checksum) == 64 and name == "tests/x.toml"
    if os.path.exists("/usr/bin/sha256sum"):
        assert os.system(f"cd {tmp_path} && sha256sum --check --quiet {manifest.MANIFEST_NAME}") == 0


def test_the_ini_keeps_the_instructors_markers_and_nothing_else():
    text = catalog.ini_text(COURSE)
    assert text.startswith("[pytest]\n") and "points(n)" in text and "addopts" not in text


def test_exercises_are_named_after_their_check_files():
    names = catalog.exercise_names(COURSE)
    assert names[0] == "ex01_basics" and len(names) == 14
    assert catalog.exercise_of("tests/exercises/test_ex03_raises.py::test_answer_value") == "ex03_raises"


def test_a_second_grader_reuses_the_collected_points_without_collecting(fake_grader, monkeypatch):
    collected = fake_grader.catalog
    assert not collected.errors, "the fake course has a check file that does not collect"

    def refuse(*args, **kwargs):
        raise AssertionError("collected again although the checks did not change")

    monkeypatch.setattr(catalog, "collect", refuse)
    options = GradeOptions(catalog_cache=fake_grader.catalog_cache)
    with Grader(COURSE, options, Progress(QUIET)) as again:
        assert again.catalog.exercises == collected.exercises


def _cached_catalog_file(fake_grader):
    fake_grader.catalog  # noqa: B018 - collect (or load) so the cache file exists
    ini = catalog.ini_text(COURSE)
    return catalog.cache_path(fake_grader.catalog_cache, fake_grader.checks, ini), ini


def test_the_cache_file_is_named_after_the_checks_content(fake_grader, tmp_path):
    cached, ini = _cached_catalog_file(fake_grader)
    assert cached.is_file()
    checks = tmp_path / "checks"
    shutil.copytree(fake_grader.checks, checks)
    assert catalog.cache_path(fake_grader.catalog_cache, checks, ini) == cached
    test_file = next((checks / "exercises").glob("test_ex*.py"))
    test_file.write_text(test_file.read_text() + "\n# one more line\n")
    assert catalog.cache_path(fake_grader.catalog_cache, checks, ini) != cached
    assert catalog.cache_path(fake_grader.catalog_cache, fake_grader.checks, ini + "# other\n") != cached


@pytest.mark.parametrize("damage", ["", "{not json", '{"exercises": {"ex01_basics": [["a", "b", 1]]}}',
                                    '{"exercises": []}'])
def test_a_damaged_or_foreign_cache_file_is_ignored(fake_grader, tmp_path, damage):
    cached, ini = _cached_catalog_file(fake_grader)
    assert catalog.load_cached(cached, COURSE, ini).exercises == fake_grader.catalog.exercises
    damaged = tmp_path / cached.name
    damaged.write_text(damage)
    assert catalog.load_cached(damaged, COURSE, ini) is None
