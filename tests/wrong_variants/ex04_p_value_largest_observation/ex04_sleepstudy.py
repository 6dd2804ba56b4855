# caught-by: test_slowest_subject_p_value
# mistake: T is the single largest reaction time, not the largest subject mean
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def slowest_subject_p_value(replicates, reaction, subject):
    return float(np.mean(np.max(replicates, axis=1) >= np.max(reaction)))
