# full-marks-on: test_replicate_reactions
# written: the replicates drawn with jax.random from each draw's line and sigma, without Predictive
import jax
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    alpha, beta, sigma = (np.asarray(samples[name]) for name in ("alpha", "beta", "sigma"))
    line = alpha[:, subject] + beta[:, subject] * days
    noise = np.asarray(jax.random.normal(jax.random.PRNGKey(seed), line.shape))
    return line + sigma[:, None] * noise
