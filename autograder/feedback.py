"""Turn what a student's code did into a failing check that reads well.

Every check calls student code through ``call`` (or ``capture`` inside a fixture), so a stub that
still raises ``NotImplementedError`` FAILS with ``not implemented yet: <module>.<function>`` and the
task hint instead of erroring, and any other exception names the function, the error and the hint.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import pytest

from autograder.targets import exercise_name

NOT_IMPLEMENTED = "not implemented yet"


class StudentCodeError(Exception):
    """Student code failed; the message is the complete feedback for the check."""


def qualified_name(module: ModuleType, function: str) -> str:
    """``ex03_aspirin.centred_model``."""
    return f"{exercise_name(module)}.{function}"


def with_hint(message: str, hint: str = "") -> str:
    """``message`` followed by an indented ``Hint:`` line when there is a hint."""
    return f"{message}\n  Hint: {hint}" if hint else message


def explain_exception(where: str, error: BaseException, hint: str = "") -> str:
    """Feedback for an exception raised by student code at ``where`` (``module.function``)."""
    if isinstance(error, NotImplementedError):
        task = f"\n  Task: {error}" if str(error) else ""
        return with_hint(f"{NOT_IMPLEMENTED}: {where}{task}", hint)
    filename = f"{where.split('.')[0]}.py"
    lines = [frame.lineno for frame in traceback.extract_tb(error.__traceback__)
             if frame.filename.endswith(filename)]
    location = f" (line {lines[-1]} of {filename})" if lines else ""
    return with_hint(f"{where} raised {type(error).__name__}{location}: {error}", hint)


def function_of(module: ModuleType, function: str) -> Callable:
    """The student's function, or StudentCodeError when the module does not define it."""
    func = getattr(module, function, None)
    if not callable(func):
        raise StudentCodeError(
            f"{exercise_name(module)} has no function `{function}`: keep the names and signatures "
            f"of the exercise file (rename your function back if you changed it)")
    return func


def run(module: ModuleType, function: str, *args, hint: str = "", **kwargs) -> Any:
    """Call ``module.function(*args, **kwargs)``; on any exception raise StudentCodeError with feedback."""
    func = function_of(module, function)
    try:
        return func(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - every student error becomes feedback
        raise StudentCodeError(explain_exception(qualified_name(module, function), error, hint)) from error


def call(module, function: str, *args, hint: str = "", **kwargs) -> Any:
    """Like ``run`` but inside a check: a failure ends the check with ``pytest.fail``.

    ``module`` is a module or the ``Outcome`` of loading one.
    """
    outcome = capture(lambda: run(unwrap(module), function, *args, hint=hint, **kwargs))
    return outcome.value


@dataclass(frozen=True)
class Outcome:
    """A result computed once (in a module-scoped fixture) that every check using it unwraps."""

    result: Any = None
    failure: str | None = None

    @property
    def value(self) -> Any:
        """The result; fails the calling check with the recorded feedback when there is none."""
        if self.failure is not None:
            pytest.fail(self.failure, pytrace=False)
        return self.result

    def then(self, compute: Callable[[Any], Any]) -> "Outcome":
        """``capture(lambda: compute(result))``, or this failure unchanged."""
        return self if self.failure is not None else capture(lambda: compute(self.result))


def unwrap(module) -> ModuleType:
    """The module itself, or the value of an ``Outcome`` holding it (failing the check if there is none)."""
    return module.value if isinstance(module, Outcome) else module


def capture(compute: Callable[[], Any]) -> Outcome:
    """Run ``compute()`` and keep either its result or the StudentCodeError feedback it raised."""
    try:
        return Outcome(result=compute())
    except StudentCodeError as error:
        return Outcome(failure=str(error))


MAX_PROBLEMS_SHOWN = 8


def fail(problems: list[str], heading: str = "", hint: str = "") -> None:
    """Fail the check listing the problems (one per line, the first few) under ``heading``; pass if none."""
    if not problems:
        return
    shown = [f"- {problem}" for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > MAX_PROBLEMS_SHOWN:
        shown.append(f"- ... and {len(problems) - MAX_PROBLEMS_SHOWN} more")
    lines = ([heading] if heading else []) + shown
    pytest.fail(with_hint("\n".join(lines), hint), pytrace=False)


def value_message(quantity: str, value, expected: str, hint: str = "") -> str:
    """``<quantity> is <value>; expected <expected>`` plus a hint: the shape of every range message."""
    shown = f"{value:.4g}" if isinstance(value, (int, float)) else repr(value)
    return with_hint(f"{quantity} is {shown}; expected {expected}", hint)
