"""The CI workflows: valid GitHub Actions files (offline JSON schema) that do what the README promises."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from autograder import report

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")
FILES = sorted(WORKFLOWS.glob("*.yml"))


def load(name: str) -> dict:
    return YAML(typ="safe").load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def uses(workflow: dict) -> list[str]:
    return [step["uses"] for step in steps(workflow) if "uses" in step]


def scripts(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def validate(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([CHECK_JSONSCHEMA, "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
                          capture_output=True, text=True, timeout=120)


def test_the_three_workflows_exist():
    assert {path.name for path in FILES} >= {"book.yml", "classroom.yml", "tests.yml"}


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_workflow_matches_the_github_schema(path):
    result = validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("name: broken\non: push\njobs:\n  build:\n    steps:\n      - uses: actions/checkout@v4\n")
    assert validate(broken).returncode != 0  # no runs-on


@pytest.mark.parametrize("path", FILES, ids=[path.name for path in FILES])
def test_every_action_is_pinned_to_a_version(path):
    for action in uses(load(path.name)):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+(\.\d+)*", action), f"{action} is not pinned to a version"


def test_book_renders_with_quarto_and_publishes_to_pages():
    book = load("book.yml")
    assert any(action.startswith("quarto-dev/quarto-actions/setup@") for action in uses(book))
    assert re.search(r"^quarto render\s*$", scripts(book), re.M), "render the student edition only"
    assert "--profile" not in scripts(book), "the public site must not show the instructor's solutions"
    assert any(action.startswith("actions/upload-pages-artifact@") for action in uses(book))
    assert any(action.startswith("actions/deploy-pages@") for action in uses(book))
    assert book["permissions"]["pages"] == "write" and book["permissions"]["id-token"] == "write"
    upload = next(step for step in steps(book) if step.get("uses", "").startswith("actions/upload-pages"))
    assert upload["with"]["path"] == "_book"


def test_tests_workflow_runs_make_test_on_pushes_and_pull_requests():
    tests = load("tests.yml")
    assert {"push", "pull_request"} <= set(tests["on"])
    assert re.search(r"^make test\b", scripts(tests), re.M)


def test_classroom_workflow_grades_on_push_and_reports_the_score():
    classroom = load("classroom.yml")
    assert "push" in classroom["on"]
    job = classroom["jobs"]["run-autograding-tests"]
    assert job["name"] == "Autograding Tests"  # the check run GitHub Classroom's reporter looks for
    text = scripts(classroom)
    assert "python -m autograder grade" in text and "python -m autograder verify" in text
    assert '>> "$GITHUB_STEP_SUMMARY"' in text
    reporter = next(step for step in steps(classroom) if "autograding-grading-reporter" in step.get("uses", ""))
    runner = reporter["with"]["runners"]
    assert f"{runner.upper()}_RESULTS" in reporter["env"]
    assert "steps.grade.outputs.result" in reporter["env"][f"{runner.upper()}_RESULTS"]


def test_classroom_workflow_can_take_checks_from_a_pinned_source():
    classroom = load("classroom.yml")
    pinned = next(step for step in steps(classroom) if step.get("with", {}).get("path") == ".checks")
    assert "vars.CHECKS_REPOSITORY" in pinned["with"]["repository"]
    assert "vars.CHECKS_REF" in pinned["with"]["ref"]
    assert "--instructor-root" in scripts(classroom)


def test_classroom_workflow_keeps_no_token_and_grades_in_the_sandbox():
    classroom = load("classroom.yml")
    checkouts = [step for step in steps(classroom) if step.get("uses", "").startswith("actions/checkout@")]
    assert checkouts and all(step["with"]["persist-credentials"] is False for step in checkouts)
    text = scripts(classroom)
    assert "apt-get install -y -q bubblewrap" in text
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in text
    assert "--sandbox bwrap" in text and "--sandbox none" not in text


def test_the_files_the_grade_step_reads_are_the_ones_the_grader_writes(tmp_path):
    sample = report.GradeReport("s", [], "now")
    written = {path.name for path in report.write_all(sample, tmp_path).values()}
    text = scripts(load("classroom.yml"))
    for name in re.findall(r"build/grade/([\w.]+)", text):
        assert name in written


def test_tests_workflow_sets_up_quarto_and_the_browser_tools():
    """The render and browser tests must run on GitHub too, not skip for want of their tools."""
    workflow = load("tests.yml")
    assert any(action.startswith("quarto-dev/quarto-actions/setup@") for action in uses(workflow))
    assert re.search(r"apt-get install .*bubblewrap", scripts(workflow))
    assert "make tools" in scripts(workflow)
