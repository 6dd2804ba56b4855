# %% [markdown]
# # Exercise 4: the sleep study, three ways
#
# Belenky et al. (2003) restricted 18 volunteers to three hours of sleep a night and measured
# their average reaction time (ms) every day. Day 0 is the baseline night; the data keep days 0–9.
# Reaction times are grouped by subject: 10 measurements for each of 18 people.
#
# You will model Reaction against Days three ways and compare what each says about a subject:
#
# 1. `load_sleepstudy()` — arrays for the models, with a 0-based subject index.
# 2. `complete_pooling_model` — one line for everybody (subjects ignored).
# 3. `plot_subjects` and `no_pooling_model` — a separate line for each subject.
# 4. `partial_pooling_model` — subject lines drawn from a population of lines.
# 5. `plot_three_fits` — the three lines for subjects 308 and 335, on top of their data.
# 6. `replicate_reactions` and `slowest_subject_p_value` — a posterior predictive check: could
#    the partial-pooling model have produced data like ours?
# 7. `elpd_loo_difference` — how much better partial pooling predicts a new day of a subject
#    than complete pooling, by PSIS-LOO.
#
# Before you fit anything, sketch the hierarchy: population → subjects → daily measurements.
# Which of the three models lets subject 335, whose reaction time hardly changes, borrow
# strength from the others?
#
# Check your work with `make check EXERCISE=ex04_sleepstudy`. The checks fit your models
# themselves with fixed sampler settings; use the priors given in the docstrings, because the
# expected posterior ranges were computed with them.
#
# To fit a model yourself (for the plots):
#
# ```python
# from coursekit import mcmc
# data = load_sleepstudy()
# fit = mcmc.fit(partial_pooling_model, data["days"], data["subject"], 18,
#                reaction=data["reaction"], seed=1)
# mcmc.report(fit)
# samples = fit.get_samples()
# ```

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
    """Prepare the sleep study for the models.

    Load the data with ``load("sleepstudy")`` (columns Reaction, Days, Subject; 180 rows, in
    file order) and return a dict with four numpy arrays:

    - ``"days"``: Days as float64, shape (180,), in file order;
    - ``"reaction"``: Reaction (ms) as float64, shape (180,), in file order;
    - ``"subject"``: int64, shape (180,), a 0-based index 0..17 of each row's subject;
    - ``"subject_ids"``: int64, shape (18,), the subject numbers in increasing order, so that
      ``subject_ids[subject]`` gives back the Subject column (308, 309, 310, 330, ...).

    Hint: ``np.unique(..., return_inverse=True)`` does the last two in one call. NumPy and
    NumPyro count from 0: subject 308 has index 0, not 1.
    """
    raise NotImplementedError("load_sleepstudy: build days, reaction, subject and subject_ids")


# %%
def complete_pooling_model(days, reaction=None):
    """Complete pooling: one straight line for all subjects.

    reaction_i ~ Normal(alpha + beta * days_i, sigma), with priors
    alpha ~ Normal(300, 100), beta ~ Normal(0, 20), sigma ~ HalfNormal(50).

    Sites the checks look for: ``alpha``, ``beta``, ``sigma`` (scalars) and the observed site
    ``reaction`` (shape (180,), inside a plate over the observations).
    """
    raise NotImplementedError("complete_pooling_model: one line for everybody")


# %%
def plot_subjects(df):
    """Scatter plot of Reaction against Days, one panel per subject.

    ``df`` is the data frame from ``load("sleepstudy")``. Return the matplotlib Figure: 18 axes
    (for example a 3 x 6 grid), each showing the 10 points of one subject as markers, with the
    subject number in the axes title (e.g. "Subject 308").

    Look at the panels: do all subjects start at the same level? Do they all get slower at the
    same rate?
    """
    raise NotImplementedError("plot_subjects: one panel of points per subject")


# %%
def no_pooling_model(days, subject, n_subjects, reaction=None):
    """No pooling: a separate line for each subject.

    alpha_j ~ Normal(300, 100) and beta_j ~ Normal(0, 20) independently for j = 0..n_subjects-1,
    sigma ~ HalfNormal(50), reaction_i ~ Normal(alpha[subject_i] + beta[subject_i] * days_i, sigma).

    Sites: ``alpha`` and ``beta`` with shape (n_subjects,) inside a plate over subjects,
    ``sigma`` (scalar, shared), observed site ``reaction`` in a plate over the observations.
    """
    raise NotImplementedError("no_pooling_model: a line per subject")


# %%
def partial_pooling_model(days, subject, n_subjects, reaction=None):
    """Partial pooling: varying intercepts and slopes drawn from a population.

    Hyper-parameters (outside the subject plate):
    mu_alpha ~ Normal(300, 100), mu_beta ~ Normal(0, 20),
    sigma_alpha ~ HalfNormal(50), sigma_beta ~ HalfNormal(20), sigma ~ HalfNormal(50).
    Subject level (inside a plate over subjects):
    alpha_j ~ Normal(mu_alpha, sigma_alpha), beta_j ~ Normal(mu_beta, sigma_beta).
    Likelihood: reaction_i ~ Normal(alpha[subject_i] + beta[subject_i] * days_i, sigma).

    Sites: ``mu_alpha``, ``mu_beta``, ``sigma_alpha``, ``sigma_beta``, ``sigma`` (scalars);
    ``alpha``, ``beta`` shape (n_subjects,); observed ``reaction``.

    Hints: the second argument of ``dist.Normal`` is a standard deviation, not a variance.
    The centred form above samples well here (ten points per subject); a non-centred version
    with ``LocScaleReparam(0)`` is accepted too, as long as the sites keep these names.
    """
    raise NotImplementedError("partial_pooling_model: subject lines from a population of lines")


# %%
def plot_three_fits(df, samples, subjects=(308, 335)):
    """The data of a few subjects with the three models' lines on top.

    ``samples`` is a dict with keys ``"complete"``, ``"none"`` and ``"partial"``; each value is
    the dict of posterior draws of that model (``fit.get_samples()``): scalar ``alpha`` and
    ``beta`` with shape (draws,) for complete pooling, and shape (draws, 18) for the other two
    (column j is the subject with index j from ``load_sleepstudy``).

    Return a Figure with one axes per subject in ``subjects`` (in that order), each with:
    the subject's 10 points as markers; three straight lines y = a + b * day drawn with the
    posterior MEAN intercept a and slope b of each model, labelled "complete pooling",
    "no pooling" and "partial pooling"; a legend; the subject number in the title.

    Which line moves towards the others for subject 335, and why?
    """
    raise NotImplementedError("plot_three_fits: three lines per subject and a legend")


# %%
def replicate_reactions(samples, days, subject, n_subjects, seed=0):
    """Replicated reaction times from the partial-pooling model, one data set per posterior draw.

    ``samples`` is a dict of posterior draws of ``partial_pooling_model`` as ``fit.get_samples()``
    returns it (draws first). Use ``numpyro.infer.Predictive(partial_pooling_model,
    posterior_samples=samples)`` with the key ``jax.random.PRNGKey(seed)``, called with days,
    subject and n_subjects but WITHOUT the observed reaction times (with them, the site stays
    fixed at the data). Return the replicated ``reaction`` as a numpy array of shape
    (draws, 180): row s is a data set the model generates with the parameters of draw s.
    """
    raise NotImplementedError("replicate_reactions: posterior predictive draws of reaction")


# %%
def slowest_subject_p_value(replicates, reaction, subject):
    """Posterior predictive p-value of the slowest subject.

    The test statistic T of a data set is the largest of the 18 subjects' mean reaction times
    (subject ``subject[i]`` owns column i). Return, as a Python float, the share of replicated
    data sets (rows of ``replicates``, shape (draws, 180)) with T(replicate) >= T(reaction).
    A value near 0 or 1 says the model rarely produces a subject as slow as the slowest one seen.
    """
    raise NotImplementedError("slowest_subject_p_value: share of replicates at least as extreme")


# %%
def elpd_loo_difference(complete_fit, partial_fit):
    """Compare complete and partial pooling by PSIS-LOO (Vehtari, Gelman and Gabry 2017).

    Both arguments are NumPyro ``MCMC`` objects after ``run`` (as ``coursekit.mcmc.fit`` returns
    them); ``az.from_numpyro`` turns each into InferenceData with its pointwise log-likelihood.
    Return the tuple ``(difference, se)``: ``difference`` = elpd_loo(partial) - elpd_loo(complete)
    on ArviZ's log scale (positive when partial pooling predicts better), and ``se`` the standard
    error of that difference (the ``dse`` column of ``az.compare``), not either model's own.
    """
    raise NotImplementedError("elpd_loo_difference: (difference, standard error) from az.compare")
