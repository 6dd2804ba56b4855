"""Run exercise checks in a subprocess against a target folder and read back each check's outcome.

Used by the meta-tests (stubs must fail, wrong variants must be rejected) and the fairness script;
it reads pytest's junit XML, where tests/conftest.py records each check's points as a property.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS_DIR = ROOT / "tests" / "exercises"


@dataclass(frozen=True)
class CheckResult:
    nodeid: str        # e.g. test_ex03_aspirin.py::test_non_centred_posterior[tau]
    function: str      # test_non_centred_posterior
    outcome: str       # passed | failed | error | skipped
    points: float | None
    message: str


@dataclass(frozen=True)
class Run:
    returncode: int
    results: list[CheckResult]
    output: str


def run_checks(paths: list[Path], target: Path | str, env: dict | None = None, timeout: int = 900) -> Run:
    """``python -m pytest <paths> --target <target>`` in a subprocess; one CheckResult per test case."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        command = [sys.executable, "-m", "pytest", *map(str, paths), "--target", str(target), "-q",
                   "-p", "no:cacheprovider", f"--junitxml={report}", "-o", "junit_family=xunit1"]
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})
        results = parse_junit(report) if report.is_file() else []
    return Run(done.returncode, results, done.stdout + done.stderr)


def parse_junit(path: Path) -> list[CheckResult]:
    results = []
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        points = next((float(p.get("value")) for p in case.iter("property") if p.get("name") == "points"), None)
        outcome, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            element = case.find(tag)
            if element is not None:
                outcome = {"failure": "failed", "error": "error", "skipped": "skipped"}[tag]
                message = (element.get("message") or "") + "\n" + (element.text or "")
                break
        module = case.get("classname", "").rsplit(".", 1)[-1]
        results.append(CheckResult(f"{module}.py::{name}", name.split("[")[0], outcome, points, message))
    return results
