"""With Quarto on PATH, the book renders and every chapter's page carries its title."""
import html
import os
import shutil
import subprocess
import sys

import pytest

from coursekit import book
from coursekit.paths import REPO_ROOT

QUARTO = shutil.which("quarto")


@pytest.mark.quarto
@pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (see README: Rendering the site)")
def test_book_renders(tmp_path):
    output = tmp_path / "site"
    environment = {**os.environ, "QUARTO_PYTHON": sys.executable}
    subprocess.run([QUARTO, "render", "--output-dir", str(output)], cwd=REPO_ROOT, env=environment,
                   check=True, timeout=3600)
    for page in book.pages():
        relative = page.relative_to(REPO_ROOT).with_suffix(".html")
        rendered = output / relative
        assert rendered.is_file(), f"{relative} was not rendered"
        assert html.escape(book.title(page), quote=False) in rendered.read_text(encoding="utf-8")
