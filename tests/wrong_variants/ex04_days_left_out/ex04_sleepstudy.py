# caught-by: test_complete_pooling_structure, test_no_pooling_structure, test_partial_pooling_structure, test_population_line, test_partial_pooling_predicts_better_by_the_expected_amount
# mistake: Days left out of the mean (alpha + beta instead of alpha + beta * days)
import numpy as np
import numpyro
import numpyro.distributions as dist

from solutions import ex04_sleepstudy as reference
from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def complete_pooling_model(days, reaction=None):
    alpha = numpyro.sample("alpha", dist.Normal(300.0, 100.0))
    beta = numpyro.sample("beta", dist.Normal(0.0, 20.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("obs", len(days)):
        numpyro.sample("reaction", dist.Normal(alpha + beta, sigma), obs=reaction)


# The grouped models are the reference ones given days = 1 on every row: mean alpha[s] + beta[s], whatever the Days.

def no_pooling_model(days, subject, n_subjects, reaction=None):
    reference.no_pooling_model(np.ones_like(days), subject, n_subjects, reaction)


def partial_pooling_model(days, subject, n_subjects, reaction=None):
    reference.partial_pooling_model(np.ones_like(days), subject, n_subjects, reaction)
