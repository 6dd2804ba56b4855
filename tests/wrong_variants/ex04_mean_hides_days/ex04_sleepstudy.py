# caught-by: test_complete_pooling_structure
# mistake: the mean is recorded as a deterministic that leaves beta * days out (it hides a missing dependency)
import numpyro
import numpyro.distributions as dist

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def complete_pooling_model(days, reaction=None):
    alpha = numpyro.sample("alpha", dist.Normal(300.0, 100.0))
    numpyro.sample("beta", dist.Normal(0.0, 20.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("obs", len(days)):
        mean = numpyro.deterministic("mean", alpha + 0.0 * days)
        numpyro.sample("reaction", dist.Normal(mean, sigma), obs=reaction)
