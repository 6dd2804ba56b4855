# caught-by: test_slowest_subject_p_value
# mistake: the share of replicates at most as slow as the data (the comparison reversed)
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex04_sleepstudy import _slowest_subject_mean


def slowest_subject_p_value(replicates, reaction, subject):
    return float(np.mean(_slowest_subject_mean(replicates, subject) <= _slowest_subject_mean(reaction, subject)))
