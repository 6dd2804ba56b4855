# caught-by: test_elpd_loo_difference
# mistake: the in-sample log predictive density (lppd) instead of leave-one-out; it flatters the bigger model
import arviz as az
import numpy as np
from scipy.special import logsumexp

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def _pointwise_lppd(fit):
    log_lik = az.from_numpyro(fit).log_likelihood["reaction"].values.reshape(-1, 180)
    return logsumexp(log_lik, axis=0) - np.log(len(log_lik))


def elpd_loo_difference(complete_fit, partial_fit):
    difference = _pointwise_lppd(partial_fit) - _pointwise_lppd(complete_fit)
    return float(difference.sum()), float(np.sqrt(len(difference) * difference.var()))
