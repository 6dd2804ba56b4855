# caught-by: test_replicate_reactions
# mistake: the slopes of one draw are paired with the intercepts of another (draws shuffled per site)
import jax
import numpy as np
from numpyro.infer import Predictive

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex04_sleepstudy import partial_pooling_model


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    order = np.random.default_rng(seed).permutation(len(samples["beta"]))
    shuffled = {**samples, "beta": np.asarray(samples["beta"])[order]}
    predictive = Predictive(partial_pooling_model, posterior_samples=shuffled)
    return np.asarray(predictive(jax.random.PRNGKey(seed), days, subject, n_subjects)["reaction"])
