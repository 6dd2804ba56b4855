"""Write a grade as JSON, JUnit XML, a Markdown summary (for ``$GITHUB_STEP_SUMMARY``), plain text, and
the result payload of GitHub Classroom's autograding reporter."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from autograder.results import (ERROR, GRADED, INVALID, MISSING, VOIDED, ExerciseResult, GradeReport,
                                format_points)

MARKDOWN_MESSAGE_LIMIT = 1500
XML_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
STATUS_ICONS = {VOIDED: "⛔", MISSING: "❔", INVALID: "❌", ERROR: "⚠️"}


def write_all(report: GradeReport, folder: Path) -> dict[str, Path]:
    """Write report.json, junit.xml, summary.md and classroom.json into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "report.json", "junit": folder / "junit.xml", "markdown": folder / "summary.md",
             "classroom": folder / "classroom.json"}
    paths["json"].write_text(to_json(report), encoding="utf-8")
    paths["junit"].write_bytes(to_junit(report))
    paths["markdown"].write_text(to_markdown(report), encoding="utf-8")
    paths["classroom"].write_text(json.dumps(to_classroom(report), indent=1), encoding="utf-8")
    return paths


def to_json(report: GradeReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


# -- JUnit XML ------------------------------------------------------------------------------------
def _xml_text(text: str) -> str:
    return XML_INVALID.sub("\ufffd", text or "")


def to_junit(report: GradeReport) -> bytes:
    """One <testsuite> per exercise, one <testcase> per check; points as properties."""
    suites = ET.Element("testsuites", name="autograder", points=format_points(report.points),
                        max_points=format_points(report.max_points))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for exercise in report.exercises:
        counts = {"tests": len(exercise.checks), "failures": 0, "errors": 0, "skipped": 0}
        suite = ET.SubElement(suites, "testsuite", name=exercise.name, time=f"{exercise.duration:.2f}")
        properties = ET.SubElement(suite, "properties")
        for key, value in (("status", exercise.status), ("points", format_points(exercise.points)),
                           ("max_points", format_points(exercise.max_points)),
                           *(("reason", reason) for reason in exercise.reasons)):
            ET.SubElement(properties, "property", name=key, value=_xml_text(value))
        for check in exercise.checks:
            case = ET.SubElement(suite, "testcase", classname=exercise.name, name=_xml_text(check.name),
                                 time=f"{check.duration:.3f}")
            case_properties = ET.SubElement(case, "properties")
            ET.SubElement(case_properties, "property", name="points", value=format_points(check.points))
            ET.SubElement(case_properties, "property", name="max_points", value=format_points(check.max_points))
            if exercise.status != GRADED:
                reason = "; ".join(exercise.reasons) or exercise.status
                element = ET.SubElement(case, "error", type=exercise.status, message=_xml_text(reason[:500]))
                element.text = _xml_text(check.message)
                counts["errors"] += 1
            elif check.outcome == "passed":
                continue
            elif check.outcome == "skipped":
                ET.SubElement(case, "skipped", message=_xml_text(check.message[:500]))
                counts["skipped"] += 1
            elif check.outcome == "failed":
                element = ET.SubElement(case, "failure", message=_xml_text(check.message.splitlines()[0][:500]
                                                                           if check.message else "failed"))
                element.text = _xml_text(check.message)
                counts["failures"] += 1
            else:
                element = ET.SubElement(case, "error", type=check.outcome, message=_xml_text(check.message[:500]))
                element.text = _xml_text(check.message)
                counts["errors"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
    for key, value in totals.items():
        suites.set(key, str(value))
    ET.indent(suites)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True)


# -- Markdown -------------------------------------------------------------------------------------
def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    text = " ".join(str(text).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _inline(text: str) -> str:
    return _cell(text).replace("`", "'")


def _fenced(text: str) -> str:
    text = text if len(text) <= MARKDOWN_MESSAGE_LIMIT else text[:MARKDOWN_MESSAGE_LIMIT] + "\n[...]"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def status_icon(exercise: ExerciseResult) -> str:
    if exercise.status != GRADED:
        return STATUS_ICONS.get(exercise.status, "⚠️")
    if exercise.points >= exercise.max_points:
        return "✅"
    return "🟡" if exercise.points > 0 else "❌"


def _summary_note(exercise: ExerciseResult) -> str:
    if exercise.reasons:
        return exercise.reasons[0]
    failed = sum(not check.passed for check in exercise.checks)
    return f"{failed} of {len(exercise.checks)} checks not passed" if failed else "all checks passed"


def to_markdown(report: GradeReport) -> str:
    """A summary for a CI job page: the total, a table of exercises, then each check's feedback."""
    lines = [f"## Autograder: {format_points(report.points)} / {format_points(report.max_points)} points", ""]
    for warning in report.warnings:
        lines.append(f"> **Warning:** {_inline(warning)}")
    if report.warnings:
        lines.append("")
    lines += ["| | Exercise | Points | Status | Note |", "|---|---|---:|---|---|"]
    for exercise in report.exercises:
        lines.append(f"| {status_icon(exercise)} | `{exercise.name}` | {format_points(exercise.points)} / "
                     f"{format_points(exercise.max_points)} | {exercise.status} | {_cell(_summary_note(exercise))} |")
    lines.append("")
    for exercise in report.exercises:
        lines += _exercise_section(exercise)
    if report.ignored_files:
        lines += ["", "Not used for grading (the instructor's checks and settings are used instead): "
                  + ", ".join(f"`{_inline(name)}`" for name in report.ignored_files) + "."]
    lines += ["", f"<sub>{_footer(report)}</sub>", ""]
    return "\n".join(lines)


def _footer(report: GradeReport) -> str:
    """When, with which checks and versions, under which limits."""
    parts = [f"Graded {report.graded_at}"]
    if report.grader.get("checks_sha256"):
        parts.append(f"checks {report.grader['checks_sha256'][:12]}")
    versions = ", ".join(f"{name} {version}" for name, version in report.grader.get("versions", {}).items()
                         if version)
    if versions:
        parts.append(versions)
    if report.grader.get("sandbox"):
        parts.append(f"sandbox: {report.grader['sandbox']}")
    limits = report.grader.get("limits", {})
    if limits:
        parts.append(f"limits per exercise: {format_points(limits.get('timeout_s', 0))} s, "
                     f"{limits.get('memory_mb')} MB")
    return "; ".join(parts) + "."


def _exercise_section(exercise: ExerciseResult) -> list[str]:
    full = exercise.status == GRADED and exercise.points >= exercise.max_points
    opened = "" if full else " open"
    lines = [f"<details{opened}><summary>{status_icon(exercise)} <b>{exercise.name}</b>: "
             f"{format_points(exercise.points)} / {format_points(exercise.max_points)} points</summary>", ""]
    for reason in exercise.reasons:
        lines.append(f"**{exercise.status.capitalize()}:** {_inline(reason)}")
        lines.append("")
    for check in exercise.checks:
        if check.passed:
            mark = "✅" if exercise.status == GRADED else "⛔"
        else:
            mark = "➖" if check.outcome == "not run" else "❌"
        lines.append(f"- {mark} `{_inline(check.name)}`: {format_points(check.points)} / "
                     f"{format_points(check.max_points)} ({check.outcome})")
        if check.message and not check.passed and check.outcome != "not run":
            lines += ["", "  " + _fenced(check.message).replace("\n", "\n  "), ""]
    for note in exercise.notes:
        lines.append(f"- Note: {_inline(note)}")
    if exercise.log_tail.strip():
        lines += ["", "Last lines of the test process's error output:", "", _fenced(exercise.log_tail.strip()[-800:])]
    lines += ["", "</details>", ""]
    return lines


# -- plain text and GitHub Classroom --------------------------------------------------------------
def to_text(report: GradeReport) -> str:
    """A short table for a terminal."""
    width = max([len(exercise.name) for exercise in report.exercises] + [8])
    lines = []
    for exercise in report.exercises:
        score = f"{format_points(exercise.points)}/{format_points(exercise.max_points)}"
        lines.append(f"{exercise.name:<{width}}  {score:>7}  {exercise.status:<8} {_summary_note(exercise)}")
    lines.append(f"{'total':<{width}}  {format_points(report.points) + '/' + format_points(report.max_points):>7}")
    return "\n".join(lines + [f"warning: {warning}" for warning in report.warnings])


def to_classroom(report: GradeReport) -> dict:
    """Payload for ``classroom-resources/autograding-grading-reporter`` (base64 of this JSON as
    ``<RUNNER>_RESULTS``): it adds up each test's ``score`` against ``max_score``."""
    tests = []
    for exercise in report.exercises:
        for check in exercise.checks:
            message = check.message if exercise.status == GRADED else "; ".join(exercise.reasons)
            tests.append({"name": f"{exercise.name}: {check.name}",
                          "status": "pass" if check.passed and exercise.status == GRADED else "fail",
                          "score": check.points, "message": message[:1000], "line_no": 0,
                          "execution_time": f"{check.duration:.1f}s", "test_code": ""})
    complete = report.points >= report.max_points
    return {"version": 1, "status": "pass" if complete else "fail", "max_score": report.max_points,
            "tests": tests}
