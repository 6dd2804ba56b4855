"""The grading sampler's set-up: one CPU device per graded chain, so chains run as one parallel program."""
import jax

from autograder import expected as expected_files
from coursekit.devices import GRADING_DEVICES


def test_a_test_session_offers_a_device_per_graded_chain():
    graded = [expected_files.load(name).sampler for name in expected_files.exercises_with_spec()]
    most_chains = max(sampler.num_chains for sampler in graded)
    assert GRADING_DEVICES >= most_chains
    assert jax.local_device_count() >= most_chains, "tests/conftest.py must ask XLA for the devices before JAX starts"
    assert all(sampler.chain_method == "parallel" for sampler in graded)
