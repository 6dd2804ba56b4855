"""Convergence diagnostics for MCMC draws shaped (chains, draws): rank-normalised ESS and R-hat.

These follow Vehtari et al. (2021): ranks are mapped to normal scores before NumPyro's
autocorrelation-based ESS and split R-hat are computed, which makes them robust to heavy tails
(a half-Cauchy scale, say) where the raw versions flatter a poorly mixing chain.
"""
from __future__ import annotations

import numpy as np
from numpyro.diagnostics import effective_sample_size, split_gelman_rubin
from scipy.stats import norm, rankdata


def _normal_scores(draws: np.ndarray) -> np.ndarray:
    """Pooled ranks of ``draws`` mapped to standard normal quantiles, same shape."""
    ranks = rankdata(draws, method="average").reshape(draws.shape)
    return norm.ppf((ranks - 0.375) / (draws.size + 0.25))


def _as_chains(draws) -> np.ndarray:
    draws = np.asarray(draws, dtype=float)
    if draws.ndim != 2:
        raise ValueError(f"expected draws shaped (chains, draws), got shape {draws.shape}")
    return draws


def ess_bulk(draws) -> float:
    """Bulk effective sample size: ESS of the rank-normal scores."""
    draws = _as_chains(draws)
    if np.ptp(draws) == 0:
        return float("nan")
    return float(effective_sample_size(_normal_scores(draws)))


def ess_tail(draws) -> float:
    """Tail effective sample size: the smaller ESS of the 5% and 95% quantile indicators."""
    draws = _as_chains(draws)
    lower, upper = np.quantile(draws, [0.05, 0.95])
    values = [effective_sample_size((draws <= lower).astype(float)),
              effective_sample_size((draws >= upper).astype(float))]
    return float(min(values))


def r_hat(draws) -> float:
    """Rank-normalised split R-hat: the larger of the bulk and the folded (tail) versions."""
    draws = _as_chains(draws)
    if np.ptp(draws) == 0:
        return float("nan")
    bulk = split_gelman_rubin(_normal_scores(draws))
    folded = split_gelman_rubin(_normal_scores(np.abs(draws - np.median(draws))))
    return float(max(bulk, folded))
