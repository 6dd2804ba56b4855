# caught-by: test_partial_pooling_structure
# mistake: sigma_beta ~ HalfNormal(5) where the task states HalfNormal(20)
import numpyro
import numpyro.distributions as dist

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def partial_pooling_model(days, subject, n_subjects, reaction=None):
    mu_alpha = numpyro.sample("mu_alpha", dist.Normal(300.0, 100.0))
    mu_beta = numpyro.sample("mu_beta", dist.Normal(0.0, 20.0))
    sigma_alpha = numpyro.sample("sigma_alpha", dist.HalfNormal(50.0))
    sigma_beta = numpyro.sample("sigma_beta", dist.HalfNormal(5.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("subjects", n_subjects):
        alpha = numpyro.sample("alpha", dist.Normal(mu_alpha, sigma_alpha))
        beta = numpyro.sample("beta", dist.Normal(mu_beta, sigma_beta))
    with numpyro.plate("obs", len(days)):
        mean = alpha[subject] + beta[subject] * days
        numpyro.sample("reaction", dist.Normal(mean, sigma), obs=reaction)
