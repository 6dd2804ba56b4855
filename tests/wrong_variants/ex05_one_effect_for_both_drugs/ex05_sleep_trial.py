# caught-by: test_model_structure
# mistake: delta of shape (2,) in a plate over drugs, but one value repeated for both (not two independent effects)
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex05_sleep_trial import *  # noqa: F401,F403 - every function not redefined below is the reference one


def model(extra, drug, patient, n_patients):
    common = numpyro.sample("common", dist.Normal(0.0, 5.0))
    with numpyro.plate("drugs", 2):
        delta = numpyro.deterministic("delta", jnp.full(2, common))
    tau = numpyro.sample("tau", dist.HalfNormal(3.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(3.0))
    with numpyro.plate("patients", n_patients), reparam(config={"u": LocScaleReparam(0)}):
        u = numpyro.sample("u", dist.Normal(0.0, tau))
    with numpyro.plate("obs", len(drug)):
        numpyro.sample("extra", dist.Normal(delta[drug] + u[patient], sigma), obs=extra)
