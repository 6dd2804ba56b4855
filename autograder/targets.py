"""Which folder of exercise modules is under test, and importing one of them under a unique name.

The target is ``solutions``, ``exercises`` or a path to any folder holding ``exNN_name.py`` files
(a student's submission). Without an explicit choice it is ``solutions`` when that folder exists
next to ``tests/`` (the instructor's repository) and ``exercises`` otherwise (a student's copy).
"""
from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from pathlib import Path
from types import ModuleType

TARGET_ENV = "COURSE_TARGET"
NAMED_TARGETS = ("solutions", "exercises")
REPO_ROOT = Path(__file__).resolve().parents[1]

_import_counter = itertools.count()


class TargetError(ValueError):
    """The target folder or an exercise module in it cannot be used."""


def resolve_target(target: str | os.PathLike | None = None, root: Path = REPO_ROOT) -> Path:
    """The target folder: ``target``, else ``$COURSE_TARGET``, else the default for ``root``."""
    value = str(target or os.environ.get(TARGET_ENV) or "")
    if not value:
        value = "solutions" if (root / "solutions").is_dir() else "exercises"
    folder = root / value if value in NAMED_TARGETS else Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise TargetError(f"target folder {folder} does not exist")
    return folder


def import_exercise(folder: Path, exercise: str) -> ModuleType:
    """Execute ``folder/<exercise>.py`` as a fresh module named ``_course_target_<n>_<exercise>``.

    A unique name keeps a solution and a student's module (or two variants) apart in one process.
    """
    path = Path(folder) / f"{exercise}.py"
    if not path.is_file():
        raise TargetError(f"{path} is missing: the target folder has no module {exercise}.py")
    name = f"_course_target_{next(_import_counter)}_{exercise}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def exercise_name(module: ModuleType) -> str:
    """``ex03_aspirin`` for a module imported from ``.../ex03_aspirin.py``."""
    return Path(module.__file__).stem
