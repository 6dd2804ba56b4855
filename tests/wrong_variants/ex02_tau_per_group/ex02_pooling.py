# caught-by: test_partial_pooling_structure
# mistake: partial pooling samples tau inside the group plate: every group its own spread, nothing shared
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex02_pooling import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex02_pooling import MEASUREMENT_SD


def partial_pooling_model(y, sigma=MEASUREMENT_SD):
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    with numpyro.plate("group", len(y)), numpyro.handlers.reparam(config={"mu_i": LocScaleReparam(0)}):
        tau = numpyro.sample("tau", dist.Exponential(1))
        mu_i = numpyro.sample("mu_i", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))
