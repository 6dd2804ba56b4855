"""Read the book's structure from ``_quarto.yml``: its pages, labels, cross-references and citations."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from coursekit.paths import REPO_ROOT

CROSSREF_KINDS = ("fig", "eq", "sec", "tbl")
_KIND = "|".join(CROSSREF_KINDS)
# A label defined in markdown ({#fig-x}) or as a cell option (#| label: fig-x).
LABEL_DEFINITION = re.compile(rf"\{{#((?:{_KIND})-[\w-]+)[^}}]*\}}|^(?:#|%%|//)\|\s*label:\s*((?:{_KIND})-[\w-]+)", re.M)
# A reference or citation: @key not preceded by a word character (so e-mail addresses are skipped).
AT_KEY = re.compile(r"(?<![\w@])-?@([A-Za-z][\w:-]*[\w])")
FENCED_CODE = re.compile(r"^```.*?^```", re.M | re.S)
INLINE_CODE = re.compile(r"`[^`\n]*`")
BIB_KEY = re.compile(r"^@\w+\{\s*([^,\s]+)\s*,", re.M)


def config(root: Path = REPO_ROOT) -> dict:
    """The parsed ``_quarto.yml``."""
    return yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))


def pages(root: Path = REPO_ROOT) -> list[Path]:
    """Every page of the book in reading order, parts flattened."""
    def walk(entries):
        for entry in entries:
            if isinstance(entry, dict):
                if "file" in entry:
                    yield entry["file"]
                if "part" in entry and str(entry["part"]).endswith(".qmd"):
                    yield entry["part"]
                yield from walk(entry.get("chapters", []))
            else:
                yield entry
    book = config(root)["book"]
    return [root / page for page in walk(book.get("chapters", []) + book.get("appendices", []))]


def prose(text: str) -> str:
    """A page's text without fenced code blocks and inline code (where an @ is not a reference)."""
    return INLINE_CODE.sub("", FENCED_CODE.sub("", text))


def defined_labels(text: str) -> list[str]:
    """Cross-reference labels a page defines, with repeats."""
    return [a or b for a, b in LABEL_DEFINITION.findall(text)]


def at_keys(text: str) -> set[str]:
    """Every @key in a page's prose: cross-references and citation keys."""
    return {key for key in AT_KEY.findall(prose(text))}


def crossrefs(text: str) -> set[str]:
    """The @fig-/@eq-/@sec-/@tbl- references a page makes."""
    return {key for key in at_keys(text) if key.split("-", 1)[0] in CROSSREF_KINDS}


def citations(text: str) -> set[str]:
    """The citation keys a page uses."""
    return {key for key in at_keys(text) if key.split("-", 1)[0] not in CROSSREF_KINDS}


def bibliography_keys(root: Path = REPO_ROOT) -> list[str]:
    """The entry keys of every bibliography the book declares, with repeats."""
    files = config(root).get("bibliography", [])
    files = [files] if isinstance(files, str) else files
    return [key for name in files for key in BIB_KEY.findall((root / name).read_text(encoding="utf-8"))]


def title(page: Path) -> str:
    """A page's title: its front-matter ``title`` or its first level-one heading, attributes removed."""
    text = page.read_text(encoding="utf-8")
    front = re.match(r"^---\n(.*?)\n---", text, re.S)
    if front:
        meta = yaml.safe_load(front.group(1)) or {}
        if meta.get("title"):
            return str(meta["title"])
    heading = re.search(r"^# (.+?)(?:\s*\{.*\})?$", prose(text), re.M)
    if not heading:
        raise ValueError(f"{page} has neither a title nor a level-one heading")
    return heading.group(1).strip()
