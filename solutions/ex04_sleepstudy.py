# %% [markdown]
# # Exercise 4: the sleep study, three ways (solution)
#
# Reaction times of 18 subjects over ten days of sleep restriction (Belenky et al. 2003),
# modelled with complete pooling, no pooling and partial pooling of the subjects'
# intercepts and slopes.

# %%
import arviz as az
import jax
import matplotlib.pyplot as plt
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import Predictive

from coursekit.data import load

# %%
def load_sleepstudy():
    """Days, reaction times and a 0-based subject index for every row of the sleep study."""
    frame = load("sleepstudy")
    subject_ids, subject = np.unique(frame["Subject"].to_numpy(), return_inverse=True)
    return {
        "days": frame["Days"].to_numpy(dtype=np.float64),
        "reaction": frame["Reaction"].to_numpy(dtype=np.float64),
        "subject": subject.astype(np.int64),
        "subject_ids": subject_ids.astype(np.int64),
    }


# %%
def complete_pooling_model(days, reaction=None):
    """One line for everybody: reaction = alpha + beta * days + noise."""
    alpha = numpyro.sample("alpha", dist.Normal(300.0, 100.0))
    beta = numpyro.sample("beta", dist.Normal(0.0, 20.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("obs", len(days)):
        numpyro.sample("reaction", dist.Normal(alpha + beta * days, sigma), obs=reaction)


# %%
def no_pooling_model(days, subject, n_subjects, reaction=None):
    """A separate line per subject; the subjects share nothing but the noise scale."""
    with numpyro.plate("subjects", n_subjects):
        alpha = numpyro.sample("alpha", dist.Normal(300.0, 100.0))
        beta = numpyro.sample("beta", dist.Normal(0.0, 20.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("obs", len(days)):
        mean = alpha[subject] + beta[subject] * days
        numpyro.sample("reaction", dist.Normal(mean, sigma), obs=reaction)


# %%
def partial_pooling_model(days, subject, n_subjects, reaction=None):
    """Subject lines drawn from a population of lines.

    Ten points per subject pin each line down well, so the centred form samples better
    here than the non-centred one.
    """
    mu_alpha = numpyro.sample("mu_alpha", dist.Normal(300.0, 100.0))
    mu_beta = numpyro.sample("mu_beta", dist.Normal(0.0, 20.0))
    sigma_alpha = numpyro.sample("sigma_alpha", dist.HalfNormal(50.0))
    sigma_beta = numpyro.sample("sigma_beta", dist.HalfNormal(20.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(50.0))
    with numpyro.plate("subjects", n_subjects):
        alpha = numpyro.sample("alpha", dist.Normal(mu_alpha, sigma_alpha))
        beta = numpyro.sample("beta", dist.Normal(mu_beta, sigma_beta))
    with numpyro.plate("obs", len(days)):
        mean = alpha[subject] + beta[subject] * days
        numpyro.sample("reaction", dist.Normal(mean, sigma), obs=reaction)


# %%
def plot_subjects(df):
    """Reaction time against days, one small panel per subject."""
    subject_ids = np.unique(df["Subject"])
    fig, axes = plt.subplots(3, 6, figsize=(12, 6), sharex=True, sharey=True)
    for ax, subject_id in zip(axes.flat, subject_ids):
        rows = df[df["Subject"] == subject_id]
        ax.plot(rows["Days"], rows["Reaction"], "o", markersize=3)
        ax.set_title(f"Subject {subject_id}")
    for ax in axes[-1]:
        ax.set_xlabel("Days")
    for ax in axes[:, 0]:
        ax.set_ylabel("Reaction (ms)")
    return fig


# %%
def _line(samples, position=None):
    """Posterior-mean intercept and slope, for one subject when ``position`` is given."""
    alpha, beta = np.asarray(samples["alpha"]), np.asarray(samples["beta"])
    if position is not None:
        alpha, beta = alpha[:, position], beta[:, position]
    return alpha.mean(), beta.mean()


def plot_three_fits(df, samples, subjects=(308, 335)):
    """Data and the complete, no and partial pooling lines for a few subjects."""
    subject_ids = list(np.unique(df["Subject"]))
    labels = {"complete": "complete pooling", "none": "no pooling", "partial": "partial pooling"}
    fig, axes = plt.subplots(1, len(subjects), figsize=(5 * len(subjects), 4), sharey=True)
    days = np.arange(df["Days"].min(), df["Days"].max() + 1)
    for ax, subject_id in zip(np.atleast_1d(axes), subjects):
        rows = df[df["Subject"] == subject_id]
        ax.plot(rows["Days"], rows["Reaction"], "o", color="black", label="data")
        position = subject_ids.index(subject_id)
        for key, label in labels.items():
            intercept, slope = _line(samples[key], None if key == "complete" else position)
            ax.plot(days, intercept + slope * days, label=label)
        ax.set_title(f"Subject {subject_id}")
        ax.set_xlabel("Days")
        ax.legend()
    np.atleast_1d(axes)[0].set_ylabel("Reaction (ms)")
    return fig


# %% [markdown]
# ## Checking the partial-pooling model: replicated data and leave-one-out prediction

# %%
def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    """One replicated data set per posterior draw, from the partial-pooling model (draws, observations)."""
    predictive = Predictive(partial_pooling_model, posterior_samples=samples)
    replicates = predictive(jax.random.PRNGKey(seed), days, subject, n_subjects)
    return np.asarray(replicates["reaction"])


def _slowest_subject_mean(reaction, subject):
    """The test statistic: the largest of the subjects' mean reaction times (one per data set)."""
    one_hot = np.eye(np.max(subject) + 1)[subject]
    return (np.asarray(reaction) @ one_hot / one_hot.sum(axis=0)).max(axis=-1)


def slowest_subject_p_value(replicates, reaction, subject):
    """Share of replicated data sets whose slowest subject is at least as slow as the observed one."""
    return float(np.mean(_slowest_subject_mean(replicates, subject) >= _slowest_subject_mean(reaction, subject)))


# %%
def elpd_loo_difference(complete_fit, partial_fit):
    """PSIS-LOO elpd of partial minus complete pooling, and the standard error of that difference."""
    comparison = az.compare({"complete": az.from_numpyro(complete_fit), "partial": az.from_numpyro(partial_fit)})
    difference = comparison.loc["partial", "elpd_loo"] - comparison.loc["complete", "elpd_loo"]
    return float(difference), float(comparison["dse"].max())
