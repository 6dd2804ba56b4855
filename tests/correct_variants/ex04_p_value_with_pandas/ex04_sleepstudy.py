# full-marks-on: test_slowest_subject_p_value
# written: subject means with pandas groupby and a strict inequality (ties have probability zero)
import numpy as np
import pandas as pd

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def slowest_subject_p_value(replicates, reaction, subject):
    replicated = pd.DataFrame(np.asarray(replicates).T).groupby(np.asarray(subject)).mean().max(axis=0)
    observed = pd.Series(np.asarray(reaction)).groupby(np.asarray(subject)).mean().max()
    return float((replicated > observed).mean())
