"""Every exercise stub offers the same public functions, with the same signatures, as its solution."""
import inspect
from pathlib import Path

import pytest

from autograder.targets import import_exercise

ROOT = Path(__file__).resolve().parents[1]
STUBS, SOLUTIONS = ROOT / "exercises", ROOT / "solutions"
NAMES = sorted({p.stem for folder in (STUBS, SOLUTIONS) for p in folder.glob("ex[0-9][0-9]_*.py")})


def public_functions(module) -> dict[str, inspect.Signature]:
    """Functions the module defines itself (not imports), without a leading underscore."""
    return {name: inspect.signature(value) for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}


@pytest.mark.skipif(not SOLUTIONS.is_dir(), reason="no solutions/ folder (student copy)")
@pytest.mark.parametrize("exercise", NAMES)
def test_stub_and_solution_have_the_same_functions(exercise):
    missing = [folder.name for folder in (STUBS, SOLUTIONS) if not (folder / f"{exercise}.py").is_file()]
    assert not missing, f"{exercise}.py is missing from {missing}"
    stub = public_functions(import_exercise(STUBS, exercise))
    solution = public_functions(import_exercise(SOLUTIONS, exercise))
    assert stub.keys() == solution.keys(), (
        f"{exercise}: only in exercises/: {sorted(stub.keys() - solution.keys())}; "
        f"only in solutions/: {sorted(solution.keys() - stub.keys())}")
    differing = {name: (str(stub[name]), str(solution[name])) for name in stub if stub[name] != solution[name]}
    assert not differing, f"{exercise}: signatures differ (exercise, solution): {differing}"

