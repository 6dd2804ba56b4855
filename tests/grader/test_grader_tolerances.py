"""The tolerances of the posterior checks rest on ArviZ's MCSE and ESS: check them against closed forms."""
import numpy as np
import pytest
from scipy import stats as scipy_stats

from autograder import posterior, stats

DRAWS = 4 * 20_000


@pytest.fixture(scope="module")
def independent_normal_draws():
    """Independent N(0, 1) draws shaped (chains, draws): ESS equals the number of draws."""
    return np.random.default_rng(11).standard_normal((4, DRAWS // 4))


@pytest.mark.parametrize("statistic, closed_form", [
    ("mean", 1 / np.sqrt(DRAWS)),
    ("sd", np.sqrt(2) / 2 / np.sqrt(DRAWS)),  # Var[(x - m)^2] = 2 for N(0, 1); delta method / (2 sd)
    ("q05", np.sqrt(0.05 * 0.95 / DRAWS) / scipy_stats.norm.pdf(scipy_stats.norm.ppf(0.05))),
    ("q95", np.sqrt(0.05 * 0.95 / DRAWS) / scipy_stats.norm.pdf(scipy_stats.norm.ppf(0.95))),
])
def test_reference_mcse_of_independent_draws_matches_its_closed_form(independent_normal_draws, statistic,
                                                                      closed_form):
    assert posterior.mcse(independent_normal_draws, statistic) == pytest.approx(closed_form, rel=0.1)


@pytest.mark.parametrize("statistic", ["mean", "sd", "q05", "q95"])
def test_student_mcse_grows_as_one_over_root_ess(independent_normal_draws, statistic):
    reference = posterior.mcse(independent_normal_draws, statistic)
    own_ess = stats.ess(independent_normal_draws, statistic)
    assert posterior.mcse(independent_normal_draws, statistic, ess=own_ess) == pytest.approx(reference)
    assert posterior.mcse(independent_normal_draws, statistic, ess=own_ess / 100) == pytest.approx(10 * reference)


def test_autocorrelated_draws_get_a_wider_mcse_than_independent_ones(independent_normal_draws):
    """An AR(1) chain with phi = 0.9 has about (1 - phi) / (1 + phi) of its draws' information."""
    rng, phi = np.random.default_rng(12), 0.9
    noise = rng.standard_normal(independent_normal_draws.shape) * np.sqrt(1 - phi ** 2)
    chains = np.zeros_like(noise)
    chains[:, 0] = rng.standard_normal(4)
    for t in range(1, chains.shape[1]):
        chains[:, t] = phi * chains[:, t - 1] + noise[:, t]
    ratio = posterior.mcse(chains, "mean") / posterior.mcse(independent_normal_draws, "mean")
    assert ratio == pytest.approx(np.sqrt((1 + phi) / (1 - phi)), rel=0.15)


def test_convergence_diagnostics_flag_chains_that_disagree():
    rng = np.random.default_rng(13)
    mixed = rng.standard_normal((4, 1000))
    stuck = mixed + np.array([[0.0], [0.0], [0.0], [3.0]])
    assert stats.r_hat(mixed) < 1.01 < stats.r_hat(stuck)
    assert stats.ess_bulk(stuck) < 400 < stats.ess_bulk(mixed)
    assert np.isnan(stats.r_hat(np.zeros((4, 100))))


def test_an_unknown_statistic_is_refused():
    with pytest.raises(ValueError, match="unknown statistic 'median'"):
        stats.mcse(np.zeros((2, 10)), "median")
