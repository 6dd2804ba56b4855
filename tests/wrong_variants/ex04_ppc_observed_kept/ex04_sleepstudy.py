# caught-by: test_replicate_reactions
# mistake: the observed reaction times are passed to Predictive, so the observed site stays at the data
import jax
import numpy as np
from numpyro.infer import Predictive

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex04_sleepstudy import load_sleepstudy, partial_pooling_model


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    reaction = load_sleepstudy()["reaction"]
    predictive = Predictive(partial_pooling_model, posterior_samples=samples)
    return np.asarray(predictive(jax.random.PRNGKey(seed), days, subject, n_subjects, reaction=reaction)["reaction"])
