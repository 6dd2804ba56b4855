"""Run NUTS the same way in every chapter and report convergence next to every fit, with ArviZ's diagnostics."""
from __future__ import annotations

import functools
import warnings

import jax
import numpy as np
import pandas as pd
from numpyro.infer import MCMC, NUTS

with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)  # ArviZ 0.23 announces its 1.x refactor on import
    import arviz as az


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


def inference_data(mcmc: MCMC, **groups) -> az.InferenceData:
    """``az.from_numpyro`` without the pointwise log-likelihood, for summaries and plots of the draws."""
    return az.from_numpyro(mcmc, log_likelihood=False, **groups)


def n_divergences(mcmc: MCMC) -> int:
    """Number of divergent transitions after warm-up, over all chains."""
    return int(np.asarray(mcmc.get_extra_fields()["diverging"]).sum())


def _posterior(source) -> az.InferenceData:
    return source if isinstance(source, az.InferenceData) else inference_data(source)


def summary(source, var_names=None, prob: float = 0.9) -> pd.DataFrame:
    """``az.summary`` as the book shows it: mean, sd, a central interval, bulk/tail ESS and R-hat.

    ``source`` is an MCMC run or an InferenceData. The interval is the central (equal-tailed) one used
    everywhere in the book; ArviZ's default column is a highest-density interval.
    """
    idata = _posterior(source)
    names = var_names or [name for name in idata.posterior.data_vars if not name.startswith("_")]
    low, high = (1 - prob) / 2, (1 + prob) / 2
    bounds = {f"{100 * level:g}%": functools.partial(np.quantile, q=level) for level in (low, high)}
    table = az.summary(idata, var_names=names, round_to="none", stat_funcs=bounds, extend=True)
    return table[["mean", "sd", *bounds, "ess_bulk", "ess_tail", "r_hat"]]


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
