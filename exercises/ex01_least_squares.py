# %% [markdown]
# # Exercise 1: least squares by hand
#
# The classical linear model is y = X beta + eps with independent errors eps_i ~ Normal(0, sigma^2).
# Independence and a common variance are what give the closed forms below; this exercise computes
# them with numpy so that later chapters can show what changes when the assumptions do not hold.
#
#     beta_hat      = (X'X)^{-1} X'y
#     s^2           = RSS / (n - p),    RSS = sum of squared residuals, p = number of columns of X
#     SE(beta_hat)  = sqrt(diag(s^2 (X'X)^{-1}))
#
# Use numpy only (no statsmodels or scikit-learn). Check your work with
# `make check EXERCISE=ex01_least_squares` or `python -m pytest tests/exercises/test_ex01_least_squares.py`.

# %%
import numpy as np


# %%
def design_matrix(x) -> np.ndarray:
    """Return the design matrix: a first column of ones (the intercept), then the predictor(s).

    ``x`` has shape (n,) for one predictor or (n, k) for k predictors; the result has shape (n, 1 + k).
    """
    raise NotImplementedError("stack a column of ones in front of the predictor(s)")


# %%
def least_squares(X, y) -> np.ndarray:
    """Return beta_hat, shape (p,), the coefficients minimising the sum of squared residuals.

    Solve the normal equations (X'X) beta = X'y (``np.linalg.solve``) or use ``np.linalg.lstsq``.
    """
    raise NotImplementedError("solve the normal equations for beta_hat")


# %%
def residual_variance(X, y, beta) -> float:
    """Return s^2, the unbiased estimate of sigma^2: RSS / (n - p) for coefficients ``beta``."""
    raise NotImplementedError("divide the residual sum of squares by the residual degrees of freedom")


# %%
def standard_errors(X, y) -> np.ndarray:
    """Return the standard errors of beta_hat, shape (p,): sqrt(diag(s^2 (X'X)^{-1})).

    These are standard deviations, not variances.
    """
    raise NotImplementedError("standard errors from s^2 and (X'X)^{-1}")
