"""The report formats: JSON round trip, valid JUnit XML, a Markdown summary, GitHub Classroom's payload."""
import json
import re
import xml.etree.ElementTree as ET

import pytest

from autograder import report
from autograder.results import GRADED, MISSING, VOIDED, CheckResult, ExerciseResult, GradeReport


@pytest.fixture
def sample():
    good = ExerciseResult("ex01_a", GRADED, 3.0, 2.0, checks=[
        CheckResult("t::one", "test_one", 2.0, 2.0, "passed"),
        CheckResult("t::two", "test_two", 1.0, 0.0, "failed", "mean of `mu` is 3.1 | expected 2.0 <x>\x00\n"
                    "  Hint: use the standard deviation")])
    voided = ExerciseResult("ex02_b", VOIDED, 2.0, 0.0, reasons=["timed out after 5 s during check test_x"],
                            checks=[CheckResult("u::x", "test_x", 2.0)])
    missing = ExerciseResult("ex03_c", MISSING, 1.0, 0.0, reasons=["exercises/ex03_c.py is missing"],
                             checks=[CheckResult("v::y", "test_y", 1.0)])
    return GradeReport("/submissions/alice", [good, voided, missing], "2024-01-01T00:00:00+00:00",
                       grader={"versions": {"numpyro": "0.22.0"}, "limits": {"timeout_s": 5, "memory_mb": 100},
                               "checks_sha256": "abc123"},
                       warnings=["check files differ from the release manifest (changed: tests/x.py)"])


def test_json_round_trips(sample):
    data = json.loads(report.to_json(sample))
    assert data["points"] == 2.0 and data["max_points"] == 6.0
    again = report.GradeReport.from_dict(data)
    assert again.points == sample.points and again.exercises[1].reasons == sample.exercises[1].reasons


def test_junit_is_valid_xml_with_points_and_counts(sample):
    root = ET.fromstring(report.to_junit(sample))
    assert root.get("points") == "2" and root.get("max_points") == "6"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "2")
    suites = {suite.get("name"): suite for suite in root}
    assert suites["ex02_b"].find("testcase/error").get("type") == VOIDED
    failure = suites["ex01_a"].find("testcase[@name='test_two']/failure")
    assert "Hint" in failure.text and "\x00" not in failure.text


def test_markdown_has_total_table_reasons_feedback_and_warnings(sample):
    text = report.to_markdown(sample)
    assert text.startswith("## Autograder: 2 / 6 points")
    assert "| 🟡 | `ex01_a` | 2 / 3 | graded |" in text
    assert "| ⛔ | `ex02_b` | 0 / 2 | voided | timed out after 5 s during check test_x |" in text
    assert "**Warning:** check files differ" in text
    assert "Hint: use the standard deviation" in text
    assert text.count("<details") == text.count("</details>") == 3


def test_markdown_table_cells_cannot_break_the_table():
    exercise = ExerciseResult("ex01_a", VOIDED, 1.0, reasons=["bad | cell\nwith <b>html</b>"])
    text = report.to_markdown(GradeReport("s", [exercise], "now"))
    row = next(line for line in text.splitlines() if "`ex01_a`" in line)
    assert "bad \\| cell with &lt;b&gt;html&lt;/b&gt;" in row
    assert len(re.findall(r"(?<!\\)\|", row)) == 6  # five cells, one escaped pipe inside


def test_classroom_payload_adds_up_to_the_total(sample):
    payload = report.to_classroom(sample)
    assert payload["max_score"] == 6.0 and payload["status"] == "fail"
    assert sum(test["score"] for test in payload["tests"]) == sample.points
    assert {test["status"] for test in payload["tests"]} == {"pass", "fail"}


def test_write_all_writes_the_four_files(sample, tmp_path):
    paths = report.write_all(sample, tmp_path / "out")
    assert sorted(path.name for path in paths.values()) == ["classroom.json", "junit.xml", "report.json",
                                                             "summary.md"]
    assert all(path.stat().st_size > 0 for path in paths.values())
