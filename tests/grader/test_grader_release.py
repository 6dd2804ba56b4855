"""The student release: instructor-only content stripped, no solution line anywhere, checks runnable."""
import json
import os
import subprocess
import sys

import pytest
from grader_support import COURSE, REPO_ROOT

from autograder import manifest
from autograder.release import (ReleaseError, build_release, find_leaks, solution_fingerprints,
                                strip_instructor_content)

INSTRUCTOR_DIV = '::: {.content-visible when-profile="instructor"}'


def test_stripping_removes_nested_instructor_divs_and_spans_only():
    text = ("before\n\n" + INSTRUCTOR_DIV + "\nsecret\n\n::: {.callout-note}\nnested secret\n:::\n:::\n\n"
            "```\n:::\n```\n\n::: {.callout-tip}\nkept\n:::\n\nafter[ aside]{.content-visible when-profile=\"instructor\"}.\n")
    stripped, count = strip_instructor_content(text)
    assert count == 2
    assert "secret" not in stripped and "aside" not in stripped
    assert "before" in stripped and "kept" in stripped and "after." in stripped
    assert "```\n:::\n```" in stripped  # a fence inside a code block is left alone


def test_hidden_unless_instructor_is_stripped_too():
    stripped, count = strip_instructor_content('::: {.content-hidden unless-profile="instructor"}\nx\n:::\n')
    assert count == 1 and stripped == ""


def test_unbalanced_fences_refuse_the_release():
    with pytest.raises(ReleaseError):
        strip_instructor_content(INSTRUCTOR_DIV + "\nnever closed\n")


@pytest.fixture(scope="module")
def fake_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release") / "student"
    build_release(out, source=COURSE)
    return out


def released_files(folder):
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file())


def test_the_fake_release_holds_the_student_parts_and_nothing_else(fake_release):
    files = released_files(fake_release)
    for expected in ("README.md", "CHECKSUMS.sha256", "_quarto.yml", "chapters/01-fake.qmd", "data/fake.csv",
                     "exercises/ex01_basics.py", "tests/conftest.py", "tests/exercises/test_ex01_basics.py",
                     "tests/expected/ex01_basics.toml", "pyproject.toml"):
        assert expected in files
    assert not [name for name in files if name.startswith(("solutions/", "tests/wrong_variants/"))]
    assert "_quarto-instructor.yml" not in files and "tests/test_course_suite.py" not in files


def test_the_fake_release_chapter_keeps_public_text_only(fake_release):
    chapter = (fake_release / "chapters" / "01-fake.qmd").read_text()
    assert "Public prose" in chapter and "Exercise 1" in chapter and "More public prose." in chapter
    assert "instructor" not in chapter and "42.0" not in chapter


def test_the_release_manifest_matches_and_flags_edits(fake_release):
    assert manifest.verify(fake_release) == []
    (fake_release / "tests" / "expected" / "ex02_wrong.toml").write_text("answer = 7.0\n")
    assert manifest.verify(fake_release) == ["changed: tests/expected/ex02_wrong.toml"]


def test_a_planted_solution_line_is_found_and_refuses_the_release(tmp_path, fake_release):
    fingerprints = solution_fingerprints(COURSE)
    assert "reference_value_for_the_fake_course = 42.0" in fingerprints
    assert "def answer():" not in fingerprints  # shared with the stub
    assert find_leaks(fake_release, fingerprints) == []
    source = tmp_path / "course"
    subprocess.run(["cp", "-r", str(COURSE), str(source)], check=True)
    (source / "data" / "planted.md").write_text("doubled_by_the_reference_solution = 2 * x\n")
    with pytest.raises(ReleaseError, match="doubled_by_the_reference_solution"):
        build_release(tmp_path / "leaky", source=source)
    assert not (tmp_path / "leaky").exists()


def test_lines_the_public_book_teaches_are_not_secrets_but_instructor_lines_are(tmp_path):
    source = tmp_path / "course"
    subprocess.run(["cp", "-r", str(COURSE), str(source)], check=True)
    chapter = source / "chapters" / "01-fake.qmd"
    chapter.write_text(chapter.read_text() + "\n```python\ndoubled_by_the_reference_solution = 2 * x\n```\n"
                       + INSTRUCTOR_DIV + "\nthe_instructor_only_walkthrough_line = 1\n:::\n")
    fingerprints = solution_fingerprints(source)
    assert "doubled_by_the_reference_solution = 2 * x" not in fingerprints
    assert fingerprints["the_instructor_only_walkthrough_line = 1"] == "chapters/01-fake.qmd (instructor block)"


def test_an_existing_folder_is_not_replaced_without_force(tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(ReleaseError, match="--force"):
        build_release(tmp_path / "out", source=COURSE)
    with pytest.raises(ReleaseError, match="over the source"):
        build_release(COURSE, source=COURSE, force=True)


# -- the real course ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("real-release") / "student"
    build_release(out, source=REPO_ROOT, check_leaks=False)  # leaks are the next test's subject
    return out


def test_no_solution_line_appears_in_any_released_file(real_release):
    fingerprints = solution_fingerprints(REPO_ROOT)
    assert len(fingerprints) > 50, "the solutions should give many lines to look for"
    leaks = find_leaks(real_release, fingerprints)
    assert not leaks, "solution lines found in released files:\n" + "\n".join(
        f"  {where}: {line}" for where, line in leaks)
    files = released_files(real_release)
    assert not [name for name in files if "solutions/" in name or "wrong_variants" in name]
    assert not [name for name in files if name.endswith(".qmd") and "when-profile" in
                (real_release / name).read_text(encoding="utf-8")]


def test_the_real_release_has_what_students_need(real_release):
    files = set(released_files(real_release))
    for name in ("README.md", "CHECKSUMS.sha256", "requirements.txt", "Makefile", "_quarto.yml",
                 ".github/workflows/classroom.yml", "autograder/plugin.py", "coursekit/data.py",
                 "data/sleepstudy.csv", "tests/conftest.py"):
        assert name in files
    exercises = sorted(path.name for path in (REPO_ROOT / "exercises").glob("ex*.py"))
    for exercise in exercises:
        assert f"exercises/{exercise}" in files
        assert f"tests/exercises/test_{exercise}" in files
    assert not (real_release / ".github" / "workflows" / "book.yml").exists()
    assert manifest.verify(real_release) == []


def test_the_released_checks_run_against_the_stubs_and_award_nothing(real_release, tmp_path):
    """Grade the release's own stubs with the release's own grader: every graded check fails as
    "not implemented yet" and the total is 0."""
    environment = {**os.environ, "PYTHONPATH": str(real_release)}
    command = [sys.executable, "-m", "autograder", "grade", ".", "--instructor-root", ".", "-q",
               "--out", str(tmp_path / "grade"), "--jax-cache", str(REPO_ROOT / ".jax_cache")]
    finished = subprocess.run(command, cwd=real_release, env=environment, capture_output=True, text=True,
                              timeout=1800)
    assert finished.returncode == 0, finished.stderr[-2000:]
    report = json.loads((tmp_path / "grade" / "report.json").read_text())
    assert report["grader"]["instructor_root"] == str(real_release)
    assert report["points"] == 0 and report["max_points"] > 0
    graded = [(exercise["name"], check) for exercise in report["exercises"] for check in exercise["checks"]
              if check["max_points"] > 0]
    assert graded
    silent = [f"{name}::{check['name']}: {check['message'][:120]}" for name, check in graded
              if "not implemented yet" not in check["message"]]
    assert not silent, "checks that fail for another reason than the stub:\n" + "\n".join(silent)
