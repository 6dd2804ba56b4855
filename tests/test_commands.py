"""The README's two commands stay true: CI runs the test command, and the site command never fakes a render."""
import os
import re
import shutil
import subprocess

import pytest

from coursekit.paths import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_gives_the_two_commands():
    assert re.search(r"^make site\b", README, re.M)
    assert re.search(r"^make test\b", README, re.M)


def test_ci_runs_the_readme_test_command():
    script = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", script, re.M)
    assert "set -euo pipefail" in script


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_site_without_quarto_explains_and_fails(tmp_path):
    """With no quarto on PATH, `make site` says how to install it and exits non-zero."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("sh", "bash", "make", "touch", "test"):
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    fresh_stamp = tmp_path / "installed"  # newer than requirements.txt: the environment counts as built
    fresh_stamp.touch()
    environment = {**os.environ, "PATH": str(bin_dir)}
    command = ["make", "--no-print-directory", "site", f"STAMP={fresh_stamp}"]
    result = subprocess.run(command, cwd=REPO_ROOT, env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "Quarto is not installed" in result.stdout
    assert "pip install quarto-cli" in result.stdout
    assert not (REPO_ROOT / "_book" / "index.html").exists() or shutil.which("quarto")
