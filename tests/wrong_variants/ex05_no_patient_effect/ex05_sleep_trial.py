# caught-by: test_model_structure, test_difference_posterior
# mistake: observations treated as independent: no patient effects, so the pairing is ignored
# %% [markdown]
# # Exercise 5: two sleeping drugs in ten patients (solution)
#
# The Cushny–Peebles trial (1905): every patient took both drugs, so each patient is a
# group and the drugs are compared within patients.

# %%
import matplotlib.pyplot as plt
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.handlers import reparam
from numpyro.infer.reparam import LocScaleReparam

from coursekit.data import load

# %%
def load_sleep():
    """Extra hours of sleep with 0-based drug and patient indices for every row."""
    frame = load("sleep")
    return {
        "extra": frame["extra"].to_numpy(dtype=np.float64),
        "drug": (frame["group"].to_numpy() - 1).astype(np.int64),
        "patient": (frame["ID"].to_numpy() - 1).astype(np.int64),
    }


# %%
def plot_paired(df):
    """One line per patient joining the extra sleep under drug 1 and under drug 2."""
    fig, ax = plt.subplots(figsize=(4, 4))
    for patient_id, rows in df.sort_values("group").groupby("ID"):
        ax.plot(rows["group"], rows["extra"], "o-", color="grey", alpha=0.8)
    ax.set_xticks([1, 2], ["drug 1", "drug 2"])
    ax.set_xlim(0.7, 2.3)
    ax.set_xlabel("Drug")
    ax.set_ylabel("Extra sleep (hours)")
    return fig


# %%
def model(extra, drug, patient, n_patients):
    """extra = delta[drug] + u[patient] + noise, with zero-mean patient effects u."""
    delta = numpyro.sample("delta", dist.Normal(0.0, 5.0).expand([2]).to_event(1))
    sigma = numpyro.sample("sigma", dist.HalfNormal(3.0))
    with numpyro.plate("obs", len(drug)):
        numpyro.sample("extra", dist.Normal(delta[drug], sigma), obs=extra)


# %%
def effect_difference(samples):
    """Posterior draws of how much more sleep drug 2 gives than drug 1."""
    delta = np.asarray(samples["delta"])
    return delta[:, 1] - delta[:, 0]


def prob_drug2_better(samples):
    """Posterior probability that drug 2 gives more extra sleep than drug 1."""
    return float(np.mean(effect_difference(samples) > 0))
