# caught-by: test_elpd_loo_difference
# mistake: the standard error of the difference from the two models' own standard errors, as if independent
import arviz as az
import numpy as np

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def elpd_loo_difference(complete_fit, partial_fit):
    complete, partial = az.loo(az.from_numpyro(complete_fit)), az.loo(az.from_numpyro(partial_fit))
    return float(partial.elpd_loo - complete.elpd_loo), float(np.hypot(partial.se, complete.se))
