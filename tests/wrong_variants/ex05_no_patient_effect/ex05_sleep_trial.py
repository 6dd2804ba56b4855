# caught-by: test_model_structure, test_difference_posterior
# mistake: observations treated as independent: no patient effects, so the pairing is ignored
import numpyro
import numpyro.distributions as dist

from solutions.ex05_sleep_trial import *  # noqa: F401,F403 - every function not redefined below is the reference one


def model(extra, drug, patient, n_patients):
    delta = numpyro.sample("delta", dist.Normal(0.0, 5.0).expand([2]).to_event(1))
    sigma = numpyro.sample("sigma", dist.HalfNormal(3.0))
    with numpyro.plate("obs", len(drug)):
        numpyro.sample("extra", dist.Normal(delta[drug], sigma), obs=extra)
