# caught-by: test_complete_pooling_structure
# mistake: a per-measurement latent added to the mean behind a deterministic: obs is not built from mu and sigma only
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one


def complete_pooling_model(y):
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    sigma = numpyro.sample("sigma", dist.Exponential(1))
    with numpyro.plate("measurement", len(y)):
        offset = numpyro.sample("offset", dist.Normal(0, 1))
        mean = numpyro.deterministic("mean", mu + offset)
        numpyro.sample("obs", dist.Normal(mean, sigma), obs=jnp.asarray(y))
