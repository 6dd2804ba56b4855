# caught-by: test_replicate_reactions
# mistake: the "replicates" are each draw's mean line, without the likelihood's noise
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    alpha, beta = np.asarray(samples["alpha"]), np.asarray(samples["beta"])
    return alpha[:, subject] + beta[:, subject] * days
