"""Checks for exercise 1, least squares: exact comparison with closed forms on simulated data."""
import numpy as np
import pytest

from autograder import feedback

EXERCISE = "ex01_least_squares"


def simulated(num_predictors: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, X with intercept, y) from a known linear model; x is 1-D for one predictor."""
    rng = np.random.default_rng(seed)
    n = 40
    x = rng.normal(0, 2, size=(n, num_predictors))
    X = np.column_stack([np.ones(n), x])
    beta = rng.normal(0, 3, size=num_predictors + 1)
    y = X @ beta + rng.normal(0, 1.5, size=n)
    return (x[:, 0] if num_predictors == 1 else x), X, y


CASES = [simulated(1, seed=11), simulated(3, seed=12)]


def ordinary_least_squares(X, y):
    """Reference closed forms: beta_hat, s^2 = RSS / (n - p) and standard errors."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    n, p = X.shape
    rss = float(np.sum((y - X @ beta) ** 2))
    s2 = rss / (n - p)
    return beta, s2, np.sqrt(s2 * np.diag(np.linalg.inv(X.T @ X))), rss


def _as_array(value, name: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        pytest.fail(f"{name} returned {type(value).__name__}; expected a numpy array", pytrace=False)


@pytest.mark.points(1)
def test_design_matrix(module):
    for x, X_expected, _ in CASES:
        X = _as_array(feedback.call(module, "design_matrix", x), "design_matrix")
        if X.shape != X_expected.shape:
            hint = ("the intercept column of ones is missing" if X.shape[-1:] == (X_expected.shape[1] - 1,)
                    else "one row per observation, one column per coefficient")
            pytest.fail(feedback.value_message(f"shape of design_matrix(x) for x of shape {np.shape(x)}",
                                               X.shape, f"{X_expected.shape}", hint), pytrace=False)
        if not np.allclose(X, X_expected):
            hint = ("the column of ones goes first" if np.allclose(X[:, -1], 1) else
                    "first column all ones, then the predictors unchanged")
            pytest.fail(f"design_matrix(x) has the right shape but wrong entries\n  Hint: {hint}", pytrace=False)


@pytest.mark.points(2)
def test_least_squares(module):
    for _, X, y in CASES:
        beta_expected, *_ = ordinary_least_squares(X, y)
        beta = _as_array(feedback.call(module, "least_squares", X, y), "least_squares")
        if beta.shape != beta_expected.shape or not np.allclose(beta, beta_expected, rtol=1e-6, atol=1e-8):
            pytest.fail(feedback.value_message(
                "beta_hat", np.round(beta, 4).tolist(), f"{np.round(beta_expected, 4).tolist()}",
                "solve (X'X) beta = X'y with np.linalg.solve, or use np.linalg.lstsq; do not add another "
                "intercept column, X already has one"), pytrace=False)


@pytest.mark.points(2)
def test_residual_variance(module):
    for _, X, y in CASES:
        beta, s2, _, rss = ordinary_least_squares(X, y)
        n, p = X.shape
        value = feedback.call(module, "residual_variance", X, y, beta)
        if not np.isscalar(value) and np.shape(value) != ():
            pytest.fail(f"residual_variance returned shape {np.shape(value)}; expected one number", pytrace=False)
        value = float(value)
        if np.isclose(value, s2, rtol=1e-8):
            continue
        likely = {rss / n: "you divided by n: divide by the residual degrees of freedom n - p",
                  np.sqrt(s2): "that is s, a standard deviation: return the variance s^2",
                  rss: "that is the residual sum of squares: divide it by n - p",
                  rss / (n - 1): "divide by n - p, where p counts every column of X including the intercept"}
        hint = next((text for candidate, text in likely.items() if np.isclose(value, candidate, rtol=1e-6)),
                    "s^2 = sum((y - X beta)^2) / (n - p)")
        pytest.fail(feedback.value_message("residual variance", value, f"{s2:.6g} (n = {n}, p = {p})", hint),
                    pytrace=False)


@pytest.mark.points(2)
def test_standard_errors(module):
    for _, X, y in CASES:
        _, s2, se_expected, rss = ordinary_least_squares(X, y)
        n, p = X.shape
        se = _as_array(feedback.call(module, "standard_errors", X, y), "standard_errors")
        if se.shape == se_expected.shape and np.allclose(se, se_expected, rtol=1e-6):
            continue
        hint = "sqrt(diag(s^2 (X'X)^{-1})) with s^2 = RSS / (n - p)"
        if se.shape == se_expected.shape:
            if np.allclose(se, se_expected ** 2, rtol=1e-6):
                hint = "those are variances: take the square root of the diagonal"
            elif np.allclose(se, se_expected * np.sqrt((n - p) / n), rtol=1e-6):
                hint = "s^2 divided by n: divide the residual sum of squares by n - p"
            elif np.allclose(se, np.sqrt(np.diag(np.linalg.inv(X.T @ X))), rtol=1e-6):
                hint = "multiply (X'X)^{-1} by the residual variance s^2 before taking square roots"
        pytest.fail(feedback.value_message("standard errors", np.round(se, 5).tolist(),
                                           f"{np.round(se_expected, 5).tolist()}", hint), pytrace=False)
