# caught-by: test_glmm_offset
# mistake: population added to the log rate instead of log(population)
# %% [markdown]
# # Exercise 6: random effects and a Poisson GLMM (solution)
#
# Forty simulated districts: survey scores with a district random intercept, and case
# counts with a population offset, one covariate and a district random effect.

# %%
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

DATA_SEED = 20231
N_DISTRICTS = 40


# %%
def district_data():
    """The exercise's fixed simulated data set and the values it was simulated from.

    Do not edit: the checks expect exactly these numbers.
    """
    rng = np.random.default_rng(DATA_SEED)
    truth = {"beta0": float(np.log(50 / 100_000)), "beta1": 0.4, "tau_cases": 0.3,
             "mu": 50.0, "tau": 5.0, "sigma": 10.0}
    population = np.round(np.exp(rng.uniform(np.log(5_000), np.log(200_000), N_DISTRICTS)))
    covariate = rng.normal(0.0, 1.0, N_DISTRICTS)
    covariate = (covariate - covariate.mean()) / covariate.std()
    district_effect = rng.normal(0.0, truth["tau_cases"], N_DISTRICTS)
    rate = np.exp(truth["beta0"] + truth["beta1"] * covariate + district_effect)
    cases = rng.poisson(population * rate)
    responses = rng.integers(5, 16, N_DISTRICTS)
    district = np.repeat(np.arange(N_DISTRICTS), responses)
    survey_effect = rng.normal(0.0, truth["tau"], N_DISTRICTS)
    score = truth["mu"] + survey_effect[district] + rng.normal(0.0, truth["sigma"], district.size)
    return {
        "cases": cases.astype(np.int64),
        "population": population.astype(np.int64),
        "covariate": covariate,
        "score": score,
        "district": district.astype(np.int64),
        "n_districts": N_DISTRICTS,
        "truth": truth,
    }


# %%
def random_intercept_model(y, group, n_groups):
    """y = mu + alpha[group] + noise, with zero-mean random effects alpha ~ Normal(0, tau)."""
    mu = numpyro.sample("mu", dist.Normal(0.0, 100.0))
    tau = numpyro.sample("tau", dist.HalfNormal(10.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(20.0))
    with numpyro.plate("groups", n_groups), reparam(config={"alpha": LocScaleReparam(0)}):
        alpha = numpyro.sample("alpha", dist.Normal(0.0, tau))
    with numpyro.plate("obs", len(group)):
        numpyro.sample("y", dist.Normal(mu + alpha[group], sigma), obs=y)


# %%
def poisson_glmm(cases, population, covariate):
    """cases ~ Poisson(population * exp(beta0 + beta1 * covariate + alpha)), alpha ~ Normal(0, tau)."""
    beta0 = numpyro.sample("beta0", dist.Normal(-7.0, 2.0))
    beta1 = numpyro.sample("beta1", dist.Normal(0.0, 1.0))
    tau = numpyro.sample("tau", dist.HalfNormal(1.0))
    with numpyro.plate("districts", len(population)):
        with reparam(config={"alpha": LocScaleReparam(0)}):
            alpha = numpyro.sample("alpha", dist.Normal(0.0, tau))
        log_rate = population + beta0 + beta1 * covariate + alpha
        numpyro.sample("cases", dist.Poisson(jnp.exp(log_rate)), obs=cases)


# %%
def variance_explained(samples, covariate):
    """Per draw, the covariate's share of the linear predictor's variance: var(beta1 x) / (var(beta1 x) + tau^2)."""
    beta1 = np.asarray(samples["beta1"])[:, None]
    tau = np.asarray(samples["tau"])
    covariate_variance = np.var(beta1 * np.asarray(covariate)[None, :], axis=1)
    return covariate_variance / (covariate_variance + tau**2)
