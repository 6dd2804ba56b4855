# full-marks-on: test_replicate_reactions
# written: the model run once per draw with numpyro.handlers.condition and seed, a Python loop
import jax
import numpy as np
from numpyro import handlers

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex04_sleepstudy import partial_pooling_model


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    keys = jax.random.split(jax.random.PRNGKey(seed), len(samples["sigma"]))
    rows = []
    for draw, key in enumerate(keys):
        values = {name: value[draw] for name, value in samples.items()}
        model = handlers.seed(handlers.condition(partial_pooling_model, data=values), key)
        rows.append(handlers.trace(model).get_trace(days, subject, n_subjects)["reaction"]["value"])
    return np.stack(rows)
