# caught-by: test_partial_pooling_structure
# mistake: partial pooling left centred (no LocScaleReparam): the funnel near tau = 0 makes NUTS diverge
# (test_convergence also fails at the grading seed, 28 divergences, but not at every seed: 0.99 copes)
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex02_pooling import MEASUREMENT_SD


def partial_pooling_model(y, sigma=MEASUREMENT_SD):
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    tau = numpyro.sample("tau", dist.Exponential(1))
    with numpyro.plate("group", len(y)):
        mu_i = numpyro.sample("mu_i", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))
