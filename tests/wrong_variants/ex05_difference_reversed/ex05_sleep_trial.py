# caught-by: test_effect_difference, test_prob_drug2_better
# mistake: drug 1 minus drug 2 instead of drug 2 minus drug 1
import numpy as np

from solutions.ex05_sleep_trial import *  # noqa: F401,F403 - every function not redefined below is the reference one


def effect_difference(samples):
    delta = np.asarray(samples["delta"])
    return delta[:, 0] - delta[:, 1]


def prob_drug2_better(samples):
    """The reference code, redefined so that it calls the wrong effect_difference above."""
    return float(np.mean(effect_difference(samples) > 0))
