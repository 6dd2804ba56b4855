# caught-by: test_centred_structure, test_non_centred_structure
# mistake: wrong likelihood: Student-t with 2 degrees of freedom instead of Normal for the reported estimates
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex03_aspirin import *  # noqa: F401,F403 - every function not redefined below is the reference one


def centred_model(y, sd):
    y = jnp.asarray(y)
    mu = numpyro.sample("mu", dist.Normal(jnp.mean(y), 10 * jnp.std(y)))
    tau = numpyro.sample("tau", dist.HalfCauchy(5 * jnp.std(y)))
    with numpyro.plate("study", y.shape[0]):
        theta = numpyro.sample("theta", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.StudentT(2, theta, sd), obs=y)


def non_centred_model(y, sd):
    """The reference code, redefined so that it wraps the wrong centred_model above."""
    reparam = numpyro.handlers.reparam(centred_model, config={"theta": LocScaleReparam(centered=0)})
    reparam(y, sd)
