# caught-by: test_residual_variance, test_standard_errors
# mistake: residual variance divides the residual sum of squares by n instead of n - p
import numpy as np

from solutions.ex01_least_squares import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex01_least_squares import least_squares


def residual_variance(X, y, beta) -> float:
    X = np.asarray(X, dtype=float)
    residuals = np.asarray(y, dtype=float) - X @ np.asarray(beta, dtype=float)
    n, p = X.shape
    return float(residuals @ residuals / n)


def standard_errors(X, y) -> np.ndarray:
    """The reference code, redefined so that it calls the wrong residual_variance above."""
    X = np.asarray(X, dtype=float)
    s2 = residual_variance(X, y, least_squares(X, y))
    return np.sqrt(s2 * np.diag(np.linalg.inv(X.T @ X)))
