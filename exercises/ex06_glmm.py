# %% [markdown]
# # Exercise 6: random effects and a Poisson GLMM
#
# A health agency works in 40 districts. It has two kinds of data, simulated for this exercise
# by `district_data()` (run it, don't edit it; it also returns the values the simulation used,
# so you can see how close the posterior gets to the truth):
#
# - a survey: a score for each of 388 respondents (5 to 15 per district) and the district they live in;
# - a count of cases of a disease in each district, the district's population and a
#   standardised covariate (say, a deprivation index: mean 0, sd 1 across districts).
#
# 1. `random_intercept_model` — the survey scores as a global mean plus a zero-mean district
#    random effect: y_i = mu + alpha[district_i] + noise.
# 2. `poisson_glmm` — a generalised linear mixed model for the counts: Poisson, log link,
#    log(population) as an offset, the covariate as a fixed effect and a district random effect.
# 3. `variance_explained` — how much of the variation in log rates between districts the
#    covariate accounts for, next to the random effect.
#
# Check your work with `make check EXERCISE=ex06_glmm`. The checks fit your models with fixed
# sampler settings and the priors given in the docstrings.
#
# ```python
# from coursekit import mcmc
# data = district_data()
# fit = mcmc.fit(poisson_glmm, data["cases"], data["population"], data["covariate"], seed=1)
# mcmc.report(fit, var_names=["beta0", "beta1", "tau"])
# ```

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
    """Random intercept model: a global mean plus a zero-mean random effect per group.

    Priors: mu ~ Normal(0, 100) (site ``mu``, the global mean), tau ~ HalfNormal(10)
    (site ``tau``, sd of the random effects), sigma ~ HalfNormal(20) (site ``sigma``, sd of the
    residual noise).
    Random effects (site ``alpha``, shape (n_groups,), inside a plate over groups):
    alpha_k ~ Normal(0, tau) -- mean ZERO: the global mean lives in mu, not in alpha.
    Likelihood (observed site ``y``, in a plate over observations):
    y_i ~ Normal(mu + alpha[group_i], sigma).

    Use it with ``y=data["score"]``, ``group=data["district"]``, ``n_groups=40``.
    Hint: with a few respondents per district the non-centred form samples better:
    wrap the ``alpha`` site in ``reparam(config={"alpha": LocScaleReparam(0)})``.
    """
    raise NotImplementedError("random_intercept_model: y = mu + alpha[group] + noise")


# %%
def poisson_glmm(cases, population, covariate):
    """Poisson GLMM with a population offset, one covariate and a district random effect.

    For district k:
    cases_k ~ Poisson(population_k * exp(beta0 + beta1 * covariate_k + alpha_k)), i.e. a log
    link with log(population_k) as an offset (a term with coefficient fixed at 1), so that
    exp(beta0 + ...) is a rate per person.
    Priors: beta0 ~ Normal(-7, 2) (site ``beta0``; exp(-7) is about 1 case per 1000 people),
    beta1 ~ Normal(0, 1) (site ``beta1``), tau ~ HalfNormal(1) (site ``tau``).
    Random effects (site ``alpha``, shape (n_districts,), in a plate over districts):
    alpha_k ~ Normal(0, tau). Observed site: ``cases``, in the same plate.

    Hints: the offset is log(population), not population; the counts need a Poisson likelihood,
    not a Normal one; use ``jnp`` (jax.numpy) for log/exp of model quantities. Non-centred
    ``alpha`` samples better here too.
    """
    raise NotImplementedError("poisson_glmm: Poisson, log link, log(population) offset, random effect")


# %%
def variance_explained(samples, covariate):
    """The covariate's share of the variance of the district log rates, one value per draw.

    For each posterior draw s, with v_cov = the variance across districts of
    beta1[s] * covariate (``np.var``, ddof=0) and v_re = tau[s] ** 2:
    share[s] = v_cov / (v_cov + v_re).
    ``samples`` is the dict from ``fit.get_samples()`` of ``poisson_glmm``; return a numpy
    array of shape (draws,) with values between 0 and 1.
    """
    raise NotImplementedError("variance_explained: v_cov / (v_cov + tau**2) per draw")
