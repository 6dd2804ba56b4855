"""Fit a model with NUTS under fixed settings and keep what the checks need: draws by chain, divergences.

Students never choose the sampler for grading: the settings come from the ``[sampler]`` table of
``tests/expected/<exercise>.toml``. The seed can be overridden with ``$COURSE_GRADING_SEED`` so the
fairness script can re-grade a reference solution under many seeds.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field

import jax
import numpy as np
from numpyro.infer import MCMC, NUTS

from autograder import stats

GRADING_SEED_ENV = "COURSE_GRADING_SEED"


@dataclass(frozen=True)
class SamplerSettings:
    """NUTS settings of one run."""

    num_chains: int = 2
    num_warmup: int = 1000
    num_samples: int = 1000
    target_accept_prob: float = 0.8
    seed: int = 0
    chain_method: str = "sequential"

    @classmethod
    def from_dict(cls, table: dict) -> "SamplerSettings":
        return cls(**table)

    def to_dict(self) -> dict:
        return asdict(self)

    def with_seed(self, seed: int) -> "SamplerSettings":
        return SamplerSettings(**{**self.to_dict(), "seed": int(seed)})


def grading_seed(default: int) -> int:
    """``$COURSE_GRADING_SEED`` when set, else ``default`` (the seed in the TOML)."""
    value = os.environ.get(GRADING_SEED_ENV, "").strip()
    return int(value) if value else int(default)


@dataclass
class Fit:
    """Posterior draws of every sample and deterministic site, shaped (chains, draws, *site shape)."""

    draws: dict[str, np.ndarray]
    divergences: int
    settings: SamplerSettings
    seconds: float
    mcmc: MCMC | None = field(default=None, repr=False)
    """The run itself, for checks that need the model and its data too (PSIS-LOO's log-likelihood)."""

    def site_shape(self, site: str) -> tuple[int, ...]:
        return self.draws[site].shape[2:]

    def components(self, site: str):
        """Yield (index, draws shaped (chains, draws)) for every scalar component of ``site``."""
        values = self.draws[site]
        for index in np.ndindex(*values.shape[2:]):
            yield index, values[(slice(None), slice(None)) + index]

    def component(self, site: str, index: tuple[int, ...] = ()) -> np.ndarray:
        """Draws of one scalar component, shaped (chains, draws)."""
        return self.draws[site][(slice(None), slice(None)) + tuple(index)]

    def ess_bulk(self, site: str, index: tuple[int, ...] = ()) -> float:
        return stats.ess_bulk(self.component(site, index))

    def ess_tail(self, site: str, index: tuple[int, ...] = ()) -> float:
        return stats.ess_tail(self.component(site, index))

    def r_hat(self, site: str, index: tuple[int, ...] = ()) -> float:
        return stats.r_hat(self.component(site, index))


def run_nuts(model, args: tuple = (), kwargs: dict | None = None,
             settings: SamplerSettings = SamplerSettings()) -> Fit:
    """Sample ``model(*args, **kwargs)`` with NUTS under ``settings``; exceptions from the model propagate.

    Parallel chains need a device each; with fewer devices they run one after another (same chains).
    """
    chain_method = settings.chain_method
    if chain_method == "parallel" and jax.local_device_count() < settings.num_chains:
        chain_method = "sequential"
    mcmc = MCMC(
        NUTS(model, target_accept_prob=settings.target_accept_prob),
        num_warmup=settings.num_warmup,
        num_samples=settings.num_samples,
        num_chains=settings.num_chains,
        chain_method=chain_method,
        progress_bar=False,
    )
    start = time.perf_counter()
    mcmc.run(jax.random.PRNGKey(settings.seed), *args, **(kwargs or {}))
    samples = mcmc.get_samples(group_by_chain=True)
    draws = {name: np.asarray(value, dtype=float) for name, value in samples.items()
             if not name.startswith("_")}
    divergences = int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())
    return Fit(draws, divergences, settings, time.perf_counter() - start, mcmc)
