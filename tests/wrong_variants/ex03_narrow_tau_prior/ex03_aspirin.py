# caught-by: test_non_centred_posterior
# mistake: tau ~ HalfCauchy(0.5): a prior scale ten times too small pulls every study towards mu
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex03_aspirin import *  # noqa: F401,F403 - every function not redefined below is the reference one


def centred_model(y, sd):
    y = jnp.asarray(y)
    mu = numpyro.sample("mu", dist.Normal(jnp.mean(y), 10 * jnp.std(y)))
    tau = numpyro.sample("tau", dist.HalfCauchy(0.5))
    with numpyro.plate("study", y.shape[0]):
        theta = numpyro.sample("theta", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.Normal(theta, sd), obs=y)


def non_centred_model(y, sd):
    """The reference code, redefined so that it wraps the wrong centred_model above."""
    reparam = numpyro.handlers.reparam(centred_model, config={"theta": LocScaleReparam(centered=0)})
    reparam(y, sd)
