"""Prior checks: each latent site the task names follows the family and parameters the task states.

A site sampled from the stated family is compared parameter by parameter, exactly, in one seeded
trace. A site written any other way (non-centred: a deterministic built from standard noise; or
another family with the same density) is compared by simulation: over prior draws of the model,
F(value | its parents' values) must be uniform, where F is the stated distribution function
(Kolmogorov-Smirnov test at a false-failure probability of 1e-6).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpyro.distributions as dist
from scipy.stats import kstest

from autograder.structure import ModelStructure

SIMULATED_DRAWS = 1000
FALSE_FAILURE_PROBABILITY = 1e-6


@dataclass(frozen=True)
class Prior:
    """``family(**params)`` as the task states it; a parameter is a number or the name of a site."""

    family: str
    params: dict[str, float | str] = field(default_factory=dict)
    text: str = ""  # the task's own writing, e.g. "Normal(mean(y), 10 * std(y))"

    def __str__(self) -> str:
        shown = (value if isinstance(value, str) else f"{value:g}" for value in self.params.values())
        return self.text or f"{self.family}({', '.join(shown)})"

    def values(self, sites: dict[str, np.ndarray], ndim: int = 0) -> dict[str, np.ndarray]:
        """The parameters, site names replaced by ``sites[name]`` with ``ndim`` trailing axes added."""
        return {name: np.asarray(sites[value]).reshape(np.shape(sites[value]) + (1,) * ndim)
                if isinstance(value, str) else np.asarray(value) for name, value in self.params.items()}


def base_distribution(fn):
    """The univariate distribution under ``.expand(...)`` and ``.to_event(...)``."""
    while isinstance(fn, (dist.Independent, dist.ExpandedDistribution)):
        fn = fn.base_dist
    return fn


def _described(fn) -> str:
    base = base_distribution(fn)
    params = ", ".join(f"{name}={np.asarray(getattr(base, name)).ravel()[0]:.4g}"
                       for name in base.arg_constraints if np.size(getattr(base, name, ())) == 1)
    return f"{type(base).__name__}({params})"


def exact_problems(structure: ModelStructure, site: str, prior: Prior) -> list[str]:
    """Parameters of a site sampled from the stated family that differ from the stated ones."""
    base = base_distribution(structure.functions[site])
    wanted = prior.values(structure.values)
    wrong = [name for name, value in wanted.items() if not np.allclose(getattr(base, name), value, rtol=1e-5)]
    if wrong:
        return [f"{site!r} follows {_described(structure.functions[site])}; the task asks for {site} ~ {prior}"]
    return []


def simulated_problems(structure: ModelStructure, site: str, prior: Prior) -> list[str]:
    """A site written another way: its prior draws must follow the stated distribution given its parents."""
    try:
        draws = structure.simulate(SIMULATED_DRAWS)
    except Exception as error:  # noqa: BLE001 - a model that cannot be simulated is feedback
        return [f"drawing from the model's prior to check {site!r} failed: {type(error).__name__}: {error}"]
    value = draws[site]
    params = prior.values(draws, ndim=value.ndim - 1)
    stated = getattr(dist, prior.family)(**params)
    uniform = np.asarray(stated.cdf(value), dtype=float).ravel()
    p_value = kstest(uniform, "uniform").pvalue
    if p_value >= FALSE_FAILURE_PROBABILITY:
        return []
    written = (f"sampled from {_described(structure.functions[site])}" if site in structure.functions
               else f"computed from {', '.join(sorted(structure.ancestors(site))) or 'constants'}")
    return [f"{site!r} ({written}) does not follow {site} ~ {prior}, as the task asks: over "
            f"{SIMULATED_DRAWS} prior draws its values do not have that distribution (p = {p_value:.1g})"]


def prior_problems(structure: ModelStructure, expected: dict[str, Prior]) -> list[str]:
    """Every latent site in ``expected`` (name -> Prior) follows its stated prior, however it is written."""
    problems = []
    for site, prior in expected.items():
        if site not in structure.shapes or site in structure.observed:
            continue  # a missing or observed site is site_problems' / observed_problems' finding
        fn = structure.functions.get(site)
        if fn is not None and type(base_distribution(fn)).__name__ == prior.family:
            problems += exact_problems(structure, site, prior)
        else:
            problems += simulated_problems(structure, site, prior)
    return problems
