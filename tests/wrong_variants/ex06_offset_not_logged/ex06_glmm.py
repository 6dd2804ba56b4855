# caught-by: test_glmm_offset
# mistake: population added to the log rate instead of log(population)
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex06_glmm import *  # noqa: F401,F403 - every function not redefined below is the reference one


def poisson_glmm(cases, population, covariate):
    beta0 = numpyro.sample("beta0", dist.Normal(-7.0, 2.0))
    beta1 = numpyro.sample("beta1", dist.Normal(0.0, 1.0))
    tau = numpyro.sample("tau", dist.HalfNormal(1.0))
    with numpyro.plate("districts", len(population)):
        with reparam(config={"alpha": LocScaleReparam(0)}):
            alpha = numpyro.sample("alpha", dist.Normal(0.0, tau))
        log_rate = population + beta0 + beta1 * covariate + alpha
        numpyro.sample("cases", dist.Poisson(jnp.exp(log_rate)), obs=cases)
