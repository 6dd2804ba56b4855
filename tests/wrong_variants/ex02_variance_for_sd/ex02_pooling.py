# caught-by: test_posterior
# mistake: complete pooling passes sigma**2 (a variance) as the scale of Normal
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one


def complete_pooling_model(y):
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    sigma = numpyro.sample("sigma", dist.Exponential(1))
    with numpyro.plate("measurement", len(y)):
        numpyro.sample("obs", dist.Normal(mu, sigma ** 2), obs=jnp.asarray(y))
