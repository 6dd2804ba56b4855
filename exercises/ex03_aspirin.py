# %% [markdown]
# # Exercise 3: the aspirin meta-analysis
#
# Six randomised trials (Draper et al. 1992) gave aspirin to some patients right after a heart attack
# and not to others. Each study reports y_i, the difference in mean survival (aspirin minus control),
# and s_i, the standard error of that difference. You will
#
# 1. load the data (`load_aspirin`),
# 2. pool the studies completely, the classical fixed-effect way (`precision_weighted_mean`),
# 3. write the hierarchical model twice, centred (`centred_model`) and non-centred
#    (`non_centred_model`), and see why the second samples better.
#
# The hierarchical model, with priors that scale with the data:
#
#     mu      ~ Normal(mean(y), 10 * std(y))      average effect over studies
#     tau     ~ HalfCauchy(5 * std(y))            between-study standard deviation
#     theta_i ~ Normal(mu, tau)                   effect of study i, i = 1..6
#     y_i     ~ Normal(theta_i, s_i)              what study i reported
#
# (`jnp.std` with its default `ddof=0`.) Check your work with `make check EXERCISE=ex03_aspirin`
# or `python -m pytest tests/exercises/test_ex03_aspirin.py`. The checks fit your models themselves
# with fixed sampler settings and compare the posterior with a long reference run.

# %%
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

from coursekit.data import load


# %%
def load_aspirin() -> tuple[np.ndarray, np.ndarray]:
    """Return ``(y, sd)``: two float numpy arrays of shape (6,), studies in order 1..6.

    Use ``coursekit.data.load("aspirin")`` (columns study, y, sd). Mind the sign of the sixth study.
    """
    raise NotImplementedError("load the aspirin data with coursekit.data.load('aspirin')")


# %%
def precision_weighted_mean(y, sd) -> tuple[float, float]:
    """Complete pooling: return ``(estimate, standard_error)`` of the common effect.

    Weight study i by w_i = 1 / s_i**2; the estimate is sum(w y) / sum(w) and its standard
    error (a standard deviation, not a variance) is 1 / sqrt(sum(w)).
    """
    raise NotImplementedError("compute the inverse-variance weighted mean and its standard error")


# %%
def centred_model(y, sd):
    """The hierarchical model above, centred: ``theta`` sampled from Normal(mu, tau) directly.

    Sites: ``mu`` and ``tau`` (scalars, outside any plate); inside ``numpyro.plate("study", 6)``:
    ``theta`` (shape (6,)) and the observed ``obs`` (``obs=y``). ``sd`` is a standard deviation.
    """
    raise NotImplementedError("write the centred hierarchical model with sites mu, tau, theta, obs")


# %%
def non_centred_model(y, sd):
    """The same model, non-centred: theta_i = mu + tau * z_i with z_i ~ Normal(0, 1).

    Either wrap your centred model with ``numpyro.handlers.reparam`` and
    ``config={"theta": LocScaleReparam(0)}``, or sample ``theta_raw`` in the plate and record
    ``theta = numpyro.deterministic("theta", mu + tau * theta_raw)``. Same site names as before:
    ``mu``, ``tau``, ``theta`` (shape (6,)) and ``obs``.
    """
    raise NotImplementedError("write the non-centred model (LocScaleReparam(0) or an explicit theta_raw)")
