# caught-by: test_model_structure, test_drug_effect
# mistake: patient effects with a free mean of their own (u ~ Normal(m, tau)): the drug effects are not identified
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from solutions.ex05_sleep_trial import *  # noqa: F401,F403 - every function not redefined below is the reference one


def model(extra, drug, patient, n_patients):
    delta = numpyro.sample("delta", dist.Normal(0.0, 5.0).expand([2]).to_event(1))
    tau = numpyro.sample("tau", dist.HalfNormal(3.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(3.0))
    m = numpyro.sample("m", dist.Normal(0.0, 5.0))
    with numpyro.plate("patients", n_patients), reparam(config={"u": LocScaleReparam(0)}):
        u = numpyro.sample("u", dist.Normal(m, tau))
    with numpyro.plate("obs", len(drug)):
        numpyro.sample("extra", dist.Normal(delta[drug] + u[patient], sigma), obs=extra)
