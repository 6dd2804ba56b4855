"""Build the container image of the ``docker``/``podman`` sandbox from the repository's own requirements.

    python -m autograder image [--engine podman]

The image holds only Python and the pinned libraries of ``requirements.txt``: the grader's packages,
the instructor's data and each run's folder are mounted read-only (the run folder writable) when a run
starts (``autograder.sandbox.container_command``), so the image never contains solutions or checks.
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from autograder.sandbox import IMAGE

BASE = "python:3.11-slim"


def requirements(root: Path) -> list[str]:
    """The pinned requirements, without the editable install of the repository itself."""
    lines = (Path(root) / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#") and not line.startswith("-e")]


def containerfile(root: Path) -> str:
    """The Containerfile (Dockerfile): a slim Python with the requirements, an unprivileged user."""
    packages = " ".join(requirements(root))
    return "\n".join([
        f"FROM {BASE}",
        "ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1",
        f"RUN pip install {packages}",
        "RUN useradd --create-home --uid 10001 grader",
        "USER grader",
        "",
    ])


def build_command(engine: str, context: Path) -> list[str]:
    return [engine, "build", "--tag", IMAGE, "--file", str(Path(context) / "Containerfile"), str(context)]


def build(root: Path, engine: str = "docker") -> int:
    """Write the Containerfile into an empty build context and build ``IMAGE`` with ``engine``."""
    with tempfile.TemporaryDirectory(prefix="autograder-image-") as context:
        (Path(context) / "Containerfile").write_text(containerfile(root), encoding="utf-8")
        return subprocess.run(build_command(engine, Path(context)), check=False).returncode
