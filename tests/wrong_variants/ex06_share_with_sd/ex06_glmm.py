# caught-by: test_variance_explained
# mistake: random-effect variance taken as tau instead of tau ** 2
import numpy as np

from solutions.ex06_glmm import *  # noqa: F401,F403 - every function not redefined below is the reference one


def variance_explained(samples, covariate):
    beta1 = np.asarray(samples["beta1"])[:, None]
    tau = np.asarray(samples["tau"])
    covariate_variance = np.var(beta1 * np.asarray(covariate)[None, :], axis=1)
    return covariate_variance / (covariate_variance + tau)
