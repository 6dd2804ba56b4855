"""Fixtures every check file shares, driven by the check module's own ``EXERCISE`` and ``SPEC``.

This folder is copied whole into the grader's work folder, so these fixtures serve the grader too.
"""
import pytest

from autograder import posterior


@pytest.fixture(scope="module")
def module(request, load_exercise):
    """The exercise module under test, as a ``feedback.Outcome`` (a failed import fails each check)."""
    return load_exercise(request.module.EXERCISE)


@pytest.fixture(scope="module")
def expected(request, load_expected):
    """The exercise's expected posterior ranges and grading sampler (``tests/expected/<exercise>.toml``)."""
    return load_expected(request.module.EXERCISE)


@pytest.fixture(scope="module")
def fits(request, module, expected):
    """``fits(fit_id)``: that fit of ``SPEC`` under the grading sampler, run once when a check first needs it."""
    spec, cache = request.module.SPEC, {}

    def get(fit_id):
        if fit_id not in cache:
            cache[fit_id] = posterior.fit_outcome(module, spec.fit(fit_id), expected.sampler)
        return cache[fit_id]

    return get
