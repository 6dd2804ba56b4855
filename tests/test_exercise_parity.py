"""Every exercise stub offers the same public functions, with the same signatures, as its solution.

A function the stub already implements (a data warm-up such as ex06's ``district_data``) must give what
the solution's gives, and what the check module's own copy gives: the checks never take data from a
student's module, so they keep a copy, and the three must not drift apart.
"""
import inspect
from pathlib import Path

import numpy as np
import pytest

from autograder.expected import import_check_module
from autograder.targets import import_exercise

ROOT = Path(__file__).resolve().parents[1]
STUBS, SOLUTIONS = ROOT / "exercises", ROOT / "solutions"
NAMES = sorted({p.stem for folder in (STUBS, SOLUTIONS) for p in folder.glob("ex[0-9][0-9]_*.py")})


def public_functions(module) -> dict[str, inspect.Signature]:
    """Functions the module defines itself (not imports), without a leading underscore."""
    return {name: inspect.signature(value) for name, value in vars(module).items()
            if inspect.isfunction(value) and value.__module__ == module.__name__ and not name.startswith("_")}


def implemented_results(module) -> dict[str, object]:
    """What each public function callable without arguments returns, for those that are implemented.

    A function needing arguments, or raising NotImplementedError (a task left to the student), is left out.
    """
    results = {}
    for name, signature in public_functions(module).items():
        try:
            signature.bind()
        except TypeError:
            continue
        try:
            results[name] = getattr(module, name)()
        except NotImplementedError:
            continue
    return results


def differences(left, right, where: str) -> list[str]:
    """Where two results (nested dicts, lists, tuples, arrays, numbers) differ; empty when exactly equal.

    Types, dtypes and shapes must match too: the same code gives the same kinds of values.
    """
    mismatch = [f"{where}: {_describe(left)} vs {_describe(right)}"]
    if type(left) is not type(right):
        return mismatch
    if isinstance(left, dict):
        if left.keys() != right.keys():
            return mismatch
        return [line for key in left for line in differences(left[key], right[key], f"{where}[{key!r}]")]
    if isinstance(left, (list, tuple)):
        if len(left) != len(right):
            return mismatch
        return [line for i, (a, b) in enumerate(zip(left, right)) for line in differences(a, b, f"{where}[{i}]")]
    a, b = np.asarray(left), np.asarray(right)
    return [] if a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b) else mismatch


def _describe(value) -> str:
    if isinstance(value, dict):
        return f"dict with keys {sorted(value)}"
    array = np.asarray(value)
    return f"{type(value).__name__} {array.dtype} shape {array.shape}, first values {array.ravel()[:4].tolist()}"


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


@pytest.mark.skipif(not SOLUTIONS.is_dir(), reason="no solutions/ folder (student copy)")
@pytest.mark.parametrize("exercise", NAMES)
def test_what_the_stub_implements_returns_what_the_solution_returns(exercise):
    solution = import_exercise(SOLUTIONS, exercise)
    problems = [line for name, result in implemented_results(import_exercise(STUBS, exercise)).items()
                for line in differences(result, getattr(solution, name)(), f"{name}()")]
    assert not problems, f"{exercise}: exercises/ and solutions/ differ (exercise vs solution):\n" + "\n".join(problems)


@pytest.mark.parametrize("exercise", NAMES)
def test_the_checks_copy_of_a_stub_function_returns_the_same(exercise):
    checks = import_check_module(exercise)
    copies = {name: result for name, result in implemented_results(import_exercise(STUBS, exercise)).items()
              if inspect.isfunction(getattr(checks, name, None))}
    problems = [line for name, result in copies.items()
                for line in differences(result, getattr(checks, name)(), f"{name}()")]
    assert not problems, (f"{exercise}: exercises/ and tests/exercises/test_{exercise}.py differ "
                          f"(exercise vs checks):\n" + "\n".join(problems))
