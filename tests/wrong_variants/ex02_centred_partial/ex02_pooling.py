# caught-by: test_partial_pooling_structure
# mistake: partial pooling left centred (no LocScaleReparam): the funnel near tau = 0 makes NUTS diverge
# (test_convergence also fails at the grading seed, 28 divergences, but not at every seed: 0.99 copes)
# %% [markdown]
# # Exercise 2: levels of pooling (solution)
#
# Five groups, one measurement each: y = [10, 12, 9, 11, 8]. Three models span the pooling continuum:
# complete pooling (one mean for everyone), no pooling (a mean per group, nothing shared) and partial
# pooling (group means drawn from a common distribution whose spread tau is learned).
# With one measurement per group a per-group noise sd cannot be learned (the sampler falls into a
# funnel as sigma_i -> 0), so the no- and partial-pooling models take the measurement sd as known.

# %%
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

MEASUREMENT_SD = 1.0


# %%
def toy_data() -> np.ndarray:
    """The five measurements, one per group."""
    return np.array([10.0, 12.0, 9.0, 11.0, 8.0])


# %%
def complete_pooling_model(y):
    """One mean mu and one noise sd sigma shared by every measurement."""
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    sigma = numpyro.sample("sigma", dist.Exponential(1))
    with numpyro.plate("measurement", len(y)):
        numpyro.sample("obs", dist.Normal(mu, sigma), obs=jnp.asarray(y))


# %%
def no_pooling_model(y, sigma=MEASUREMENT_SD):
    """A separate mean per group with its own Normal(0, 10) prior; nothing is shared."""
    with numpyro.plate("group", len(y)):
        mu_i = numpyro.sample("mu_i", dist.Normal(0, 10))
        numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))


# %%
def partial_pooling_model(y, sigma=MEASUREMENT_SD):
    """Group means mu_i ~ Normal(mu, tau) with mu and tau learned; non-centred for clean sampling."""
    mu = numpyro.sample("mu", dist.Normal(0, 10))
    tau = numpyro.sample("tau", dist.Exponential(1))
    with numpyro.plate("group", len(y)):
        mu_i = numpyro.sample("mu_i", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.Normal(mu_i, sigma), obs=jnp.asarray(y))
