# caught-by: test_random_intercept_structure
# mistake: random effects centred on the global mean (alpha ~ Normal(mu, tau)) while mu is also added to the mean
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex06_glmm import *  # noqa: F401,F403 - every function not redefined below is the reference one


def random_intercept_model(y, group, n_groups):
    mu = numpyro.sample("mu", dist.Normal(0.0, 100.0))
    tau = numpyro.sample("tau", dist.HalfNormal(10.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(20.0))
    with numpyro.plate("groups", n_groups), reparam(config={"alpha": LocScaleReparam(0)}):
        alpha = numpyro.sample("alpha", dist.Normal(mu, tau))
    with numpyro.plate("obs", len(group)):
        numpyro.sample("y", dist.Normal(mu + alpha[group], sigma), obs=y)
