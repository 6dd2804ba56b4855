# caught-by: test_random_intercept_structure
# mistake: non-centred by hand with tau**2 (a variance) as the scale: alpha_k ~ Normal(0, tau**2), not Normal(0, tau)
import numpyro
import numpyro.distributions as dist

from solutions.ex06_glmm import *  # noqa: F401,F403 - every function not redefined below is the reference one


def random_intercept_model(y, group, n_groups):
    mu = numpyro.sample("mu", dist.Normal(0.0, 100.0))
    tau = numpyro.sample("tau", dist.HalfNormal(10.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(20.0))
    with numpyro.plate("groups", n_groups):
        alpha_raw = numpyro.sample("alpha_raw", dist.Normal(0.0, 1.0))
        alpha = numpyro.deterministic("alpha", tau**2 * alpha_raw)
    with numpyro.plate("obs", len(group)):
        numpyro.sample("y", dist.Normal(mu + alpha[group], sigma), obs=y)
