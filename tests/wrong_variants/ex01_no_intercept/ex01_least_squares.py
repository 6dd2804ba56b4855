# caught-by: test_design_matrix
# mistake: design matrix without the column of ones
import numpy as np

from solutions.ex01_least_squares import *  # noqa: F401,F403 - every function not redefined below is the reference one


def design_matrix(x) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    predictors = x.reshape(len(x), -1)
    return predictors
