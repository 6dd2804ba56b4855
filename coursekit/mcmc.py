"""Run NUTS the same way in every chapter and report convergence next to every fit."""
from __future__ import annotations

import jax
import numpy as np
import pandas as pd
from numpyro.infer import MCMC, NUTS

from coursekit import diagnostics


def fit(model, *args, seed: int = 0, num_chains: int = 4, num_warmup: int = 1000,
        num_samples: int = 1000, target_accept_prob: float = 0.8, **kwargs) -> MCMC:
    """Sample ``model(*args, **kwargs)`` with NUTS; chains run in parallel when devices allow.

    Four chains by default: R-hat needs several chains to detect poor mixing (Vehtari et al. 2021).
    """
    chain_method = "parallel" if jax.local_device_count() >= num_chains else "sequential"
    mcmc = MCMC(
        NUTS(model, target_accept_prob=target_accept_prob),
        num_warmup=num_warmup,
        num_samples=num_samples,
        num_chains=num_chains,
        chain_method=chain_method,
        progress_bar=False,
    )
    mcmc.run(jax.random.PRNGKey(seed), *args, **kwargs)
    return mcmc


def n_divergences(mcmc: MCMC) -> int:
    """Number of divergent transitions after warm-up, over all chains."""
    return int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())


def _flat_components(name: str, draws: np.ndarray):
    """Yield (label, draws shaped (chains, draws)) for every scalar component of a site."""
    trailing = draws.shape[2:]
    if not trailing:
        yield name, draws
        return
    for index in np.ndindex(*trailing):
        yield f"{name}[{','.join(map(str, index))}]", draws[(slice(None), slice(None)) + index]


def summary(mcmc: MCMC, var_names=None, prob: float = 0.9) -> pd.DataFrame:
    """Posterior mean, sd, central interval, bulk/tail ESS and R-hat for each scalar component."""
    samples = mcmc.get_samples(group_by_chain=True)
    names = var_names or [n for n in samples if not n.startswith("_")]
    low, high = (1 - prob) / 2, (1 + prob) / 2
    rows = {}
    for name in names:
        for label, draws in _flat_components(name, np.asarray(samples[name], dtype=float)):
            rows[label] = {
                "mean": draws.mean(),
                "sd": draws.std(),
                f"{100 * low:g}%": np.quantile(draws, low),
                f"{100 * high:g}%": np.quantile(draws, high),
                "ess_bulk": diagnostics.ess_bulk(draws),
                "ess_tail": diagnostics.ess_tail(draws),
                "r_hat": diagnostics.r_hat(draws),
            }
    return pd.DataFrame.from_dict(rows, orient="index")


def convergence_line(mcmc: MCMC, var_names=None, r_hat_max: float = 1.01) -> str:
    """One sentence on convergence: worst R-hat, smallest bulk ESS, divergences, and a verdict."""
    table = summary(mcmc, var_names)
    worst_r_hat = table["r_hat"].max()
    least_ess = table["ess_bulk"].min()
    divergent = n_divergences(mcmc)
    verdict = "converged" if worst_r_hat <= r_hat_max and divergent == 0 else "NOT converged"
    transitions = "transition" if divergent == 1 else "transitions"
    return (f"{verdict}: max R-hat {worst_r_hat:.3f}, min bulk ESS {least_ess:.0f}, "
            f"{divergent} divergent {transitions}")


def for_display(table: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """A summary table as readers see it: estimates rounded, ESS as whole draws, R-hat to 2 decimals."""
    shown = table.round(digits)
    for column in ("ess_bulk", "ess_tail"):
        shown[column] = table[column].round().astype("Int64")
    shown["r_hat"] = table["r_hat"].map("{:.2f}".format)
    return shown


def report(mcmc: MCMC, var_names=None, prob: float = 0.9, digits: int = 2) -> pd.DataFrame:
    """Print the convergence line and return the summary table formatted for display."""
    print(convergence_line(mcmc, var_names))
    return for_display(summary(mcmc, var_names, prob), digits)
