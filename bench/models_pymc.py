"""PyMC ports of the graded NumPyro models, for the benchmark's peer column only.

Each port has the signature of the solution function it mirrors (same positional data, same
priors, same parametrisation and site names, non-centred where the solution is), so the
benchmark can hand both frameworks the arguments of the check's ``FitSpec.data()`` and compare
the draws of the same sites. ``bench.parity`` verifies every port against its NumPyro model by
comparing log densities at random points before any timing is trusted.
"""
from __future__ import annotations

import numpy as np
import pymc as pm


def _non_centred(name: str, loc, scale, shape: int):
    """``name ~ Normal(loc, scale)`` written as ``loc + scale * name_decentered`` like NumPyro's LocScaleReparam(0)."""
    decentered = pm.Normal(f"{name}_decentered", 0.0, 1.0, shape=shape)
    return pm.Deterministic(name, loc + scale * decentered)


# ---------------------------------------------------------------- ex02_pooling

def pooling_complete(y) -> pm.Model:
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        sigma = pm.Exponential("sigma", 1.0)
        pm.Normal("obs", mu, sigma, observed=np.asarray(y, dtype=float))
    return model


def pooling_none(y, sigma=1.0) -> pm.Model:
    with pm.Model() as model:
        mu_i = pm.Normal("mu_i", 0.0, 10.0, shape=len(y))
        pm.Normal("obs", mu_i, sigma, observed=np.asarray(y, dtype=float))
    return model


def pooling_partial(y, sigma=1.0) -> pm.Model:
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 10.0)
        tau = pm.Exponential("tau", 1.0)
        mu_i = _non_centred("mu_i", mu, tau, len(y))
        pm.Normal("obs", mu_i, sigma, observed=np.asarray(y, dtype=float))
    return model


# ---------------------------------------------------------------- ex03_aspirin

def _aspirin(y, sd, centred: bool) -> pm.Model:
    y = np.asarray(y, dtype=float)
    with pm.Model() as model:
        mu = pm.Normal("mu", y.mean(), 10 * y.std())
        tau = pm.HalfCauchy("tau", 5 * y.std())
        if centred:
            theta = pm.Normal("theta", mu, tau, shape=len(y))
        else:
            theta = _non_centred("theta", mu, tau, len(y))
        pm.Normal("obs", theta, np.asarray(sd, dtype=float), observed=y)
    return model


def aspirin_centred(y, sd) -> pm.Model:
    return _aspirin(y, sd, centred=True)


def aspirin_non_centred(y, sd) -> pm.Model:
    return _aspirin(y, sd, centred=False)


# ---------------------------------------------------------------- ex04_sleepstudy

def sleepstudy_complete_pooling(days, reaction=None) -> pm.Model:
    with pm.Model() as model:
        alpha = pm.Normal("alpha", 300.0, 100.0)
        beta = pm.Normal("beta", 0.0, 20.0)
        sigma = pm.HalfNormal("sigma", 50.0)
        pm.Normal("reaction", alpha + beta * np.asarray(days), sigma, observed=reaction)
    return model


def sleepstudy_no_pooling(days, subject, n_subjects, reaction=None) -> pm.Model:
    with pm.Model() as model:
        alpha = pm.Normal("alpha", 300.0, 100.0, shape=n_subjects)
        beta = pm.Normal("beta", 0.0, 20.0, shape=n_subjects)
        sigma = pm.HalfNormal("sigma", 50.0)
        mean = alpha[subject] + beta[subject] * np.asarray(days)
        pm.Normal("reaction", mean, sigma, observed=reaction)
    return model


def sleepstudy_partial_pooling(days, subject, n_subjects, reaction=None) -> pm.Model:
    with pm.Model() as model:
        mu_alpha = pm.Normal("mu_alpha", 300.0, 100.0)
        mu_beta = pm.Normal("mu_beta", 0.0, 20.0)
        sigma_alpha = pm.HalfNormal("sigma_alpha", 50.0)
        sigma_beta = pm.HalfNormal("sigma_beta", 20.0)
        sigma = pm.HalfNormal("sigma", 50.0)
        alpha = pm.Normal("alpha", mu_alpha, sigma_alpha, shape=n_subjects)
        beta = pm.Normal("beta", mu_beta, sigma_beta, shape=n_subjects)
        mean = alpha[subject] + beta[subject] * np.asarray(days)
        pm.Normal("reaction", mean, sigma, observed=reaction)
    return model


# ---------------------------------------------------------------- ex05_sleep_trial

def sleep_trial(extra, drug, patient, n_patients) -> pm.Model:
    with pm.Model() as model:
        delta = pm.Normal("delta", 0.0, 5.0, shape=2)
        tau = pm.HalfNormal("tau", 3.0)
        sigma = pm.HalfNormal("sigma", 3.0)
        u = _non_centred("u", 0.0, tau, n_patients)
        pm.Normal("extra", delta[drug] + u[patient], sigma, observed=extra)
    return model


# ---------------------------------------------------------------- ex06_glmm

def glmm_random_intercept(y, group, n_groups) -> pm.Model:
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 100.0)
        tau = pm.HalfNormal("tau", 10.0)
        sigma = pm.HalfNormal("sigma", 20.0)
        alpha = _non_centred("alpha", 0.0, tau, n_groups)
        pm.Normal("y", mu + alpha[group], sigma, observed=y)
    return model


def glmm_poisson(cases, population, covariate) -> pm.Model:
    with pm.Model() as model:
        beta0 = pm.Normal("beta0", -7.0, 2.0)
        beta1 = pm.Normal("beta1", 0.0, 1.0)
        tau = pm.HalfNormal("tau", 1.0)
        alpha = _non_centred("alpha", 0.0, tau, len(population))
        log_rate = np.log(np.asarray(population, dtype=float)) + beta0 + beta1 * np.asarray(covariate) + alpha
        pm.Poisson("cases", pm.math.exp(log_rate), observed=cases)
    return model


PORTS = {
    ("ex02_pooling", "complete_pooling_model"): pooling_complete,
    ("ex02_pooling", "no_pooling_model"): pooling_none,
    ("ex02_pooling", "partial_pooling_model"): pooling_partial,
    ("ex03_aspirin", "centred_model"): aspirin_centred,
    ("ex03_aspirin", "non_centred_model"): aspirin_non_centred,
    ("ex04_sleepstudy", "complete_pooling_model"): sleepstudy_complete_pooling,
    ("ex04_sleepstudy", "no_pooling_model"): sleepstudy_no_pooling,
    ("ex04_sleepstudy", "partial_pooling_model"): sleepstudy_partial_pooling,
    ("ex05_sleep_trial", "model"): sleep_trial,
    ("ex06_glmm", "random_intercept_model"): glmm_random_intercept,
    ("ex06_glmm", "poisson_glmm"): glmm_poisson,
}
"""(exercise, solution function) -> PyMC port taking the same arguments."""
