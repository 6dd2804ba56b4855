# caught-by: test_no_pooling_structure, test_posterior
# mistake: no pooling without a plate: one scalar mu_i shared by all five measurements (complete pooling in disguise)
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex02_pooling import MEASUREMENT_SD


def no_pooling_model(y, sigma=MEASUREMENT_SD):
    mu_i = numpyro.sample("mu_i", dist.Normal(0, 10))
    numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))
