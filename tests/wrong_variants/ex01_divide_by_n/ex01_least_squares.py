# caught-by: test_residual_variance, test_standard_errors
# mistake: residual variance divides the residual sum of squares by n instead of n - p
# %% [markdown]
# # Exercise 1: least squares by hand (solution)
#
# Under the classical linear model y = X beta + eps with independent errors eps_i ~ Normal(0, sigma^2),
# everything has a closed form: beta_hat = (X'X)^{-1} X'y, s^2 = RSS / (n - p) and
# Cov(beta_hat) = s^2 (X'X)^{-1}. Independence and equal variances are exactly what make these work.

# %%
import numpy as np


# %%
def design_matrix(x) -> np.ndarray:
    """Intercept column of ones followed by the predictor(s): shape (n, 1 + k) for x of shape (n,) or (n, k)."""
    x = np.asarray(x, dtype=float)
    predictors = x.reshape(len(x), -1)
    return np.column_stack([np.ones(len(x)), predictors])


# %%
def least_squares(X, y) -> np.ndarray:
    """beta_hat minimising ||y - X beta||^2, shape (p,)."""
    beta, *_ = np.linalg.lstsq(np.asarray(X, dtype=float), np.asarray(y, dtype=float), rcond=None)
    return beta


# %%
def residual_variance(X, y, beta) -> float:
    """Unbiased estimate of sigma^2: residual sum of squares over n - p degrees of freedom."""
    X = np.asarray(X, dtype=float)
    residuals = np.asarray(y, dtype=float) - X @ np.asarray(beta, dtype=float)
    n, p = X.shape
    return float(residuals @ residuals / n)


# %%
def standard_errors(X, y) -> np.ndarray:
    """Standard errors of beta_hat: square roots of the diagonal of s^2 (X'X)^{-1}, shape (p,)."""
    X = np.asarray(X, dtype=float)
    s2 = residual_variance(X, y, least_squares(X, y))
    return np.sqrt(s2 * np.diag(np.linalg.inv(X.T @ X)))
