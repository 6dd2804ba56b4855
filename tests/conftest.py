"""Shared pytest set-up: which exercise modules are graded (``--target``), importing them, points.

``--target`` (or ``$COURSE_TARGET``) is ``solutions``, ``exercises`` or a folder of exercise modules;
the default is ``solutions`` when that folder exists next to ``tests/``, else ``exercises``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from autograder import feedback, targets

TESTS_DIR = Path(__file__).resolve().parent


def pytest_addoption(parser):
    parser.addoption("--target", default=None,
                     help="exercise modules to grade: 'solutions', 'exercises' or a folder path "
                          f"(default: ${targets.TARGET_ENV}, else solutions/ if present, else exercises/)")


def pytest_configure(config):
    from coursekit.devices import provide_host_devices
    from coursekit.jaxcache import enable_compilation_cache

    provide_host_devices()
    enable_compilation_cache()
    try:
        targets.resolve_target(config.getoption("--target"), root=TESTS_DIR.parent)
    except targets.TargetError as error:
        raise pytest.UsageError(f"--target / ${targets.TARGET_ENV}: {error}") from error


def pytest_collection_modifyitems(items):
    """Copy each check's points onto the report (junit XML shows them as a ``points`` property)."""
    for item in items:
        marker = item.get_closest_marker("points")
        if marker is not None:
            item.user_properties.append(("points", marker.args[0]))


@pytest.fixture(scope="module", autouse=True)
def release_compiled_code():
    """After each test module, drop JAX's in-memory compiled programs (the disk cache keeps them).

    Every NUTS fit loads a new executable; a session with dozens of fits would otherwise run out of
    memory mappings ("LLVM compilation error: Cannot allocate memory").
    """
    yield
    if "jax" in sys.modules:
        sys.modules["jax"].clear_caches()


@pytest.fixture(scope="session")
def target_dir(request) -> Path:
    """The folder whose exercise modules are graded."""
    return targets.resolve_target(request.config.getoption("--target"), root=TESTS_DIR.parent)


@pytest.fixture(scope="session")
def load_exercise(target_dir):
    """Factory: ``load_exercise("ex03_aspirin")`` imports that module from the target once per session.

    It returns a ``feedback.Outcome``: ``.value`` is the module, or fails the calling check with the
    reason (module missing, or raising on import). Use it in fixtures without failing them.
    """
    cache: dict[str, feedback.Outcome] = {}

    def load(exercise: str):
        if exercise not in cache:
            def compute():
                try:
                    return targets.import_exercise(target_dir, exercise)
                except targets.TargetError as error:
                    raise feedback.StudentCodeError(str(error)) from error
                except Exception as error:  # noqa: BLE001 - a broken module is feedback, not a crash
                    raise feedback.StudentCodeError(
                        f"{exercise}.py cannot be imported: {type(error).__name__}: {error}") from error
            cache[exercise] = feedback.capture(compute)
        return cache[exercise]

    return load


@pytest.fixture(scope="session")
def load_expected():
    """Factory: ``load_expected("ex03_aspirin")`` reads ``expected/ex03_aspirin.toml`` next to this file (the
    grader's copy of the checks, inside its sandbox, where the instructor's tree is not visible)."""
    from autograder import expected as expected_files  # imports NumPyro: only for checks that sample

    folder = Path(__file__).resolve().parent / "expected"
    return lambda exercise: expected_files.load(exercise, folder)
