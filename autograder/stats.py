"""ArviZ's diagnostics for one scalar quantity's draws shaped (chains, draws), as the checks use them.

ArviZ is imported on first use, inside the grading run: it imports matplotlib, which reads its
configuration folder from the run's own environment (so the prefork server must not import it).
"""
from __future__ import annotations

import functools
import re
import warnings

QUANTILE = re.compile(r"^q(\d\d)$")


@functools.cache
def arviz():
    """The ``arviz`` module; its 0.23 import-time notice of the coming 1.x refactor is silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        import arviz
    return arviz


def ess_bulk(chains) -> float:
    return float(arviz().ess(chains, method="bulk"))


def ess_tail(chains) -> float:
    return float(arviz().ess(chains, method="tail"))


def r_hat(chains) -> float:
    """Rank-normalised split R-hat (Vehtari et al. 2021); NaN for constant draws."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0/0 for constant draws gives NaN, which fails the check
        return float(arviz().rhat(chains))


def quantile_level(statistic: str) -> float | None:
    """The probability of a quantile statistic ``qNN`` (``q05`` -> 0.05); None for any other name."""
    match = QUANTILE.match(statistic)
    return int(match.group(1)) / 100 if match else None


def _method(statistic: str) -> dict:
    """ArviZ's ``method``/``prob`` for ``mean``, ``sd`` or a quantile ``qNN``."""
    if statistic in ("mean", "sd"):
        return {"method": statistic}
    level = quantile_level(statistic)
    if level is None:
        raise ValueError(f"unknown statistic {statistic!r}")
    return {"method": "quantile", "prob": level}


def mcse(chains, statistic: str) -> float:
    """ArviZ's Monte Carlo standard error of the statistic's estimate from these draws."""
    return float(arviz().mcse(chains, **_method(statistic)))


def ess(chains, statistic: str) -> float:
    """ArviZ's effective sample size for estimating the statistic (the one its MCSE divides by)."""
    return float(arviz().ess(chains, **_method(statistic)))
