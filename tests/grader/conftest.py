"""Shared set-up for the grader's own tests: the fake course, its submissions, one grader for all."""
import pytest
from grader_support import COURSE, FAST_LIMITS, default_sandbox

from autograder.grade import GradeOptions, Grader
from autograder.progress import QUIET, Progress

# The fixtures hold fake checks and hostile modules: never collect them as this repository's tests.
collect_ignore = ["fixtures"]


def pytest_configure(config):
    config.addinivalue_line("markers", "grading: grades the real solutions/ or stubs end to end (fits models)")


@pytest.fixture(scope="session")
def fake_grader(tmp_path_factory):
    """A grader over the fake course (checks collected once), with small limits so hostile cases end fast,
    in the bubblewrap sandbox (see ``default_sandbox``)."""
    options = GradeOptions(limits=FAST_LIMITS, jobs=2, jax_cache=tmp_path_factory.mktemp("jax_cache"),
                           catalog_cache=tmp_path_factory.mktemp("catalog_cache"), sandbox=default_sandbox())
    with Grader(COURSE, options, Progress(QUIET)) as grader:
        yield grader
