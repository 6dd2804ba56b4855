# caught-by: test_replicate_reactions
# mistake: Predictive draws new parameters (prior predictive) instead of using the posterior draws
import jax
import numpy as np
from numpyro.infer import Predictive

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex04_sleepstudy import partial_pooling_model


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    predictive = Predictive(partial_pooling_model, num_samples=len(samples["sigma"]))
    return np.asarray(predictive(jax.random.PRNGKey(seed), days, subject, n_subjects)["reaction"])
