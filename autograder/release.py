"""Build the repository students receive: the book, stubs, checks, data, tooling, their README and CI.

Only listed parts of the instructor's tree are copied (an allowlist), so a new instructor-only file is
left out by default. Chapters lose their ``when-profile="instructor"`` blocks; ``solutions/``,
``tests/wrong_variants/``, the grader's own tests and the instructor's test suite are never copied. A
manifest of checksums (``CHECKSUMS.sha256``) is written last, and the release is refused if any
non-trivial line of a solution appears in any released file.
"""
from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from autograder import manifest
from autograder.isolation import CHECK_PARTS

ROOT_FILES = ("_quarto.yml", "references.bib", "requirements.txt", "pyproject.toml", "Makefile", ".gitignore")
ROOT_FOLDERS = ("chapters", "exercises", "data", "coursekit", "autograder", "theme", "images", "assets")
STUDENT_WORKFLOW = Path(".github/workflows/classroom.yml")
README_TEMPLATE = Path(__file__).parent / "templates" / "student-README.md"
SKIPPED_NAMES = {"__pycache__", ".ipynb_checkpoints", ".quarto", "_freeze", ".pytest_cache", ".jax_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
TEXT_SUFFIXES = {".qmd", ".md", ".rmd"}
MIN_FINGERPRINT = 20

DIV_FENCE = re.compile(r"^\s*(:{3,})\s*(.*?)\s*$")
CODE_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
INSTRUCTOR_ONLY = re.compile(r"""(when-profile|unless-profile)\s*=\s*["']?instructor["']?""")
INSTRUCTOR_SPAN = re.compile(r"""\[[^\]]*\]\{[^}]*when-profile\s*=\s*["']?instructor["']?[^}]*\}""")


class ReleaseError(RuntimeError):
    """The release cannot be built safely."""


@dataclass
class ReleaseSummary:
    out_dir: Path
    files: list[str] = field(default_factory=list)
    stripped_blocks: int = 0

    def __str__(self) -> str:
        return (f"Student release written to {self.out_dir}: {len(self.files)} files, "
                f"{self.stripped_blocks} instructor-only block(s) removed, no solution lines found.")


# -- instructor-only content -----------------------------------------------------------------------
def strip_instructor_content(text: str) -> tuple[str, int]:
    """Remove Quarto divs (and spans) shown only in the instructor profile; return the text and the count.

    Div fences inside code blocks are ignored; nested divs are matched by depth.
    """
    kept, removed, depth_skipped, stack, code_fence = [], 0, 0, [], None
    for line in text.splitlines(keepends=True):
        fence = CODE_FENCE.match(line)
        if code_fence is not None:
            if fence and fence.group(1)[0] == code_fence[0] and len(fence.group(1)) >= len(code_fence):
                code_fence = None
            if not depth_skipped:
                kept.append(line)
            continue
        if fence:
            code_fence = fence.group(1)
            if not depth_skipped:
                kept.append(line)
            continue
        div = DIV_FENCE.match(line)
        if div and div.group(2):  # an opening fence with attributes or a class
            instructor = bool(INSTRUCTOR_ONLY.search(div.group(2)))
            stack.append(instructor)
            if instructor and not depth_skipped:
                removed += 1
            if instructor or depth_skipped:
                depth_skipped += 1
                continue
        elif div:  # a closing fence
            if not stack:
                raise ReleaseError("unbalanced ':::' fence (a closing fence without an opening one)")
            stack.pop()
            if depth_skipped:
                depth_skipped -= 1
                continue
        if not depth_skipped:
            kept.append(line)
    if stack:
        raise ReleaseError("unbalanced ':::' fences (a div is never closed)")
    result, spans = INSTRUCTOR_SPAN.subn("", "".join(kept))
    return result, removed + spans


# -- what is copied --------------------------------------------------------------------------------
def _skipped(path: Path) -> bool:
    return bool(SKIPPED_NAMES & set(path.parts)) or path.suffix in SKIPPED_SUFFIXES \
        or any(part.endswith("_files") for part in path.parts[:-1])


def release_sources(source: Path) -> list[Path]:
    """Relative paths of every instructor file that goes into the release (before filtering text)."""
    chosen = [Path(name) for name in ROOT_FILES if (source / name).is_file()]
    chosen += [path.relative_to(source) for path in sorted(source.glob("*.qmd"))]
    for folder in ROOT_FOLDERS:
        if (source / folder).is_dir():
            chosen += [path.relative_to(source) for path in sorted((source / folder).rglob("*")) if path.is_file()]
    for part in CHECK_PARTS:
        path = source / "tests" / part
        if path.is_file():
            chosen.append(path.relative_to(source))
        elif path.is_dir():
            chosen += [item.relative_to(source) for item in sorted(path.rglob("*")) if item.is_file()]
    if (source / STUDENT_WORKFLOW).is_file():
        chosen.append(STUDENT_WORKFLOW)
    return [path for path in chosen if not _skipped(path) and path.parts[0] != "solutions"]


def build_release(out_dir: str | Path, source: str | Path | None = None, force: bool = False,
                  check_leaks: bool = True) -> ReleaseSummary:
    """Write the student repository to ``out_dir``; refuse when a solution line would leak.

    ``check_leaks=False`` is for tests that examine other properties of a release separately.
    """
    source = Path(source or Path(__file__).resolve().parents[1]).resolve()
    out_dir = Path(out_dir).resolve()
    if not (source / "tests" / "exercises").is_dir():
        raise ReleaseError(f"{source} does not look like the course repository (no tests/exercises/)")
    if out_dir == source or source.is_relative_to(out_dir):
        raise ReleaseError(f"refusing to write the release over the source tree {source}")
    if out_dir.exists():
        if not force:
            raise ReleaseError(f"{out_dir} exists; pass --force to replace it")
        shutil.rmtree(out_dir)
    summary = ReleaseSummary(out_dir)
    for relative in release_sources(source):
        target = out_dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix.lower() in TEXT_SUFFIXES:
            text, count = strip_instructor_content((source / relative).read_text(encoding="utf-8"))
            target.write_text(text, encoding="utf-8")
            summary.stripped_blocks += count
        else:
            shutil.copyfile(source / relative, target)
        summary.files.append(relative.as_posix())
    write_student_readme(source, out_dir)
    manifest.write(out_dir)
    summary.files += ["README.md", manifest.MANIFEST_NAME]
    leaks = find_leaks(out_dir, solution_fingerprints(source)) if check_leaks else []
    if leaks:
        shutil.rmtree(out_dir)
        listing = "\n".join(f"  {where}: {line}" for where, line in leaks[:20])
        if len(leaks) > 20:
            listing += f"\n  ... and {len(leaks) - 20} more"
        raise ReleaseError(f"solution code would leak into the release (nothing was written):\n{listing}")
    return summary


def write_student_readme(source: Path, out_dir: Path) -> None:
    title = "the course"
    quarto = source / "_quarto.yml"
    if quarto.is_file():
        match = re.search(r"^\s+title:\s*\"?([^\"\n]+)\"?\s*$", quarto.read_text(encoding="utf-8"), re.M)
        title = match.group(1).strip() if match else title
    text = README_TEMPLATE.read_text(encoding="utf-8").replace("{{title}}", title)
    (out_dir / "README.md").write_text(text, encoding="utf-8")


# -- leak detection --------------------------------------------------------------------------------
def book_pages(source: Path) -> list[Path]:
    """The book's pages: ``*.qmd`` at the top level and in ``chapters/``."""
    return sorted(source.glob("*.qmd")) + sorted((source / "chapters").glob("*.qmd"))


def _stripped_lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines()}


def _is_trivial(line: str) -> bool:
    return len(line) < MIN_FINGERPRINT or line.startswith(("#", "import ", "from "))


def public_book_lines(source: Path) -> set[str]:
    """Every line of the book as students see it (instructor blocks removed): what it teaches openly."""
    lines = set()
    for page in book_pages(source):
        lines |= _stripped_lines(strip_instructor_content(page.read_text(encoding="utf-8"))[0])
    return lines


def _data_loading_lines(solution: Path) -> set[int]:
    """Line numbers of a solution's ``load_*`` functions.

    The checks never take data from a student's module, so they build the same model inputs from
    ``coursekit.data`` themselves and a student can read how; these warm-ups are public by design.
    """
    tree = ast.parse(solution.read_text(encoding="utf-8"))
    return {number for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("load_")
            for number in range(node.lineno, node.end_lineno + 1)}


def solution_fingerprints(source: Path) -> dict[str, str]:
    """Secret lines, each mapped to where it comes from: solutions and the book's instructor blocks.

    A line of ``solutions/*.py`` counts unless it is blank, a comment, an import, shorter than
    ``MIN_FINGERPRINT`` characters, shared with the matching stub (docstrings, signatures, cell
    markers), shown in the public book, which teaches it openly, or part of a ``load_*`` data
    warm-up (see ``_data_loading_lines``). A line of an instructor-only block counts on the same terms.
    """
    public = public_book_lines(source)
    fingerprints = {}
    for solution in sorted((source / "solutions").glob("*.py")):
        stub = source / "exercises" / solution.name
        shared = _stripped_lines(stub.read_text(encoding="utf-8")) if stub.is_file() else set()
        loading = _data_loading_lines(solution)
        for number, raw in enumerate(solution.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not (_is_trivial(line) or line in shared or line in public or number in loading):
                fingerprints.setdefault(line, f"solutions/{solution.name}")
    for page in book_pages(source):
        hidden = _stripped_lines(page.read_text(encoding="utf-8")) - public
        for line in sorted(hidden):
            if not _is_trivial(line) and "when-profile" not in line:
                fingerprints.setdefault(line, f"{page.relative_to(source).as_posix()} (instructor block)")
    return fingerprints


def find_leaks(folder: Path, fingerprints: dict[str, str]) -> list[tuple[str, str]]:
    """(released file, solution line) for every fingerprint found anywhere in any file under ``folder``."""
    leaks = []
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="ignore")
        for line in fingerprints:
            if line in text:
                leaks.append((path.relative_to(folder).as_posix(), line))
    return leaks
