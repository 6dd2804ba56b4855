# caught-by: test_non_centred_structure
# mistake: non_centred_model is the centred model under a new name
# %% [markdown]
# # Exercise 3: the aspirin meta-analysis (solution)
#
# Six randomised trials (Draper et al. 1992) each report y_i, the difference in mean survival between
# aspirin and control, and its standard error s_i. The hierarchical model
#
#     mu ~ Normal(mean(y), 10 sd(y)),   tau ~ HalfCauchy(5 sd(y)),
#     theta_i ~ Normal(mu, tau),        y_i ~ Normal(theta_i, s_i),   i = 1..6,
#
# lets every study have its own effect theta_i while the studies inform each other through mu and tau.

# %%
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer.reparam import LocScaleReparam

from coursekit.data import load


# %%
def load_aspirin() -> tuple[np.ndarray, np.ndarray]:
    """The six studies' estimates ``y`` and standard errors ``sd`` as float arrays, in study order."""
    frame = load("aspirin").sort_values("study")
    return frame["y"].to_numpy(dtype=float), frame["sd"].to_numpy(dtype=float)


# %%
def precision_weighted_mean(y, sd) -> tuple[float, float]:
    """Complete pooling (the fixed-effect meta-analysis): the inverse-variance weighted mean and its sd."""
    weights = 1 / np.asarray(sd, dtype=float) ** 2
    estimate = float(np.sum(weights * np.asarray(y, dtype=float)) / np.sum(weights))
    return estimate, float(1 / np.sqrt(np.sum(weights)))


# %%
def centred_model(y, sd):
    """Hierarchical model with theta_i drawn directly from Normal(mu, tau)."""
    y = jnp.asarray(y)
    mu = numpyro.sample("mu", dist.Normal(jnp.mean(y), 10 * jnp.std(y)))
    tau = numpyro.sample("tau", dist.HalfCauchy(5 * jnp.std(y)))
    with numpyro.plate("study", y.shape[0]):
        theta = numpyro.sample("theta", dist.Normal(mu, tau))
        numpyro.sample("obs", dist.Normal(theta, sd), obs=y)


# %%
def non_centred_model(y, sd):
    """The same model with theta_i = mu + tau * z_i, z_i ~ Normal(0, 1): no funnel for NUTS."""
    centred_model(y, sd)
