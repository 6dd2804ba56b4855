# %% [markdown]
# # Exercise 2: levels of pooling
#
# Five groups were measured once each: y = [10, 12, 9, 11, 8]. Write the three models of the pooling
# continuum in NumPyro, vectorised with `numpyro.plate` (no Python loops over groups):
#
# * complete pooling: one mean `mu` ~ Normal(0, 10) and one noise sd `sigma` ~ Exponential(1) for all;
# * no pooling: each group its own mean `mu_i` ~ Normal(0, 10), nothing shared;
# * partial pooling: `mu_i` ~ Normal(`mu`, `tau`) with `mu` ~ Normal(0, 10) and `tau` ~ Exponential(1).
#
# With a single measurement per group, a separate noise sd per group cannot be learned (try it: the
# sampler diverges as sigma_i -> 0), so the no- and partial-pooling models take the measurement sd
# `sigma` as known (default 1.0). Check your work with `make check EXERCISE=ex02_pooling` or
# `python -m pytest tests/exercises/test_ex02_pooling.py`; the checks fit your models themselves.

# %%
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

MEASUREMENT_SD = 1.0


# %%
def toy_data() -> np.ndarray:
    """Return the five measurements [10, 12, 9, 11, 8] as a float array of shape (5,)."""
    raise NotImplementedError("return the toy data as an array")


# %%
def complete_pooling_model(y):
    """Complete pooling. Sites: ``mu`` and ``sigma`` (scalars); observed ``obs`` of shape (5,) in a plate.

    mu ~ Normal(0, 10), sigma ~ Exponential(1), y_j ~ Normal(mu, sigma).
    """
    raise NotImplementedError("write the complete pooling model with sites mu, sigma, obs")


# %%
def no_pooling_model(y, sigma=MEASUREMENT_SD):
    """No pooling. Inside ``numpyro.plate("group", len(y))``: ``mu_i`` (shape (5,)) and observed ``obs``.

    mu_i ~ Normal(0, 10) independently, y_i ~ Normal(mu_i, sigma) with ``sigma`` given (a standard
    deviation). No site outside the plate.
    """
    raise NotImplementedError("write the no pooling model with a plate over groups")


# %%
def partial_pooling_model(y, sigma=MEASUREMENT_SD):
    """Partial pooling. Scalars ``mu`` and ``tau`` outside the plate; ``mu_i`` (shape (5,)) and ``obs`` inside.

    mu ~ Normal(0, 10), tau ~ Exponential(1), mu_i ~ Normal(mu, tau), y_i ~ Normal(mu_i, sigma).
    Sample mu_i non-centred, or the sampler reports divergences near tau = 0: wrap it in
    ``numpyro.handlers.reparam(config={"mu_i": LocScaleReparam(0)})``, or sample ``mu_raw`` ~ Normal(0, 1)
    in the plate and record ``mu_i = numpyro.deterministic("mu_i", mu + tau * mu_raw)``. Either way
    the site holding the group means is called ``mu_i``.
    """
    raise NotImplementedError("write the partial pooling model (non-centred mu_i)")
