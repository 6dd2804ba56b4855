# caught-by: test_posterior
# mistake: no pooling with mu_i ~ Normal(0, 1): the prior scale is 1 instead of 10
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex02_pooling import MEASUREMENT_SD


def no_pooling_model(y, sigma=MEASUREMENT_SD):
    with numpyro.plate("group", len(y)):
        mu_i = numpyro.sample("mu_i", dist.Normal(0, 1))
        numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))
