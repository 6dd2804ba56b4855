# caught-by: test_standard_errors
# mistake: standard_errors returns the variances diag(s^2 (X'X)^-1) without the square root
import numpy as np

from solutions.ex01_least_squares import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex01_least_squares import least_squares, residual_variance


def standard_errors(X, y) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    s2 = residual_variance(X, y, least_squares(X, y))
    return s2 * np.diag(np.linalg.inv(X.T @ X))
