# %% [markdown]
# # Exercise 5: two sleeping drugs in ten patients
#
# Cushny and Peebles (1905) gave ten patients two soporific drugs on different nights and
# recorded the hours of sleep each patient gained over their control nights; Student (1908)
# used the numbers to introduce his t-test. `load("sleep")` returns 20 rows with columns
# `extra` (hours), `group` (drug 1 or 2) and `ID` (patient 1..10).
#
# Every patient took both drugs, so the data are grouped by patient: some people sleep more
# under either drug. A hierarchical model gives every patient an effect of their own and
# compares the drugs within patients.
#
# 1. `load_sleep()` — arrays for the model, with 0-based drug and patient indices.
# 2. `plot_paired(df)` — one line per patient from drug 1 to drug 2. Before fitting: did drug 1
#    help? did drug 2? which helped more?
# 3. `model(...)` — extra = delta[drug] + u[patient] + noise, with zero-mean patient effects.
# 4. `effect_difference` and `prob_drug2_better` — summaries of the posterior.
#
# Check your work with `make check EXERCISE=ex05_sleep_trial`. The checks fit your model with
# fixed sampler settings and the priors given in the docstring.
#
# ```python
# from coursekit import mcmc
# data = load_sleep()
# fit = mcmc.fit(model, data["extra"], data["drug"], data["patient"], 10, seed=1)
# mcmc.report(fit)
# samples = fit.get_samples()
# ```

# %%
import matplotlib.pyplot as plt
import numpy as np
import numpyro
import numpyro.distributions as dist

from coursekit.data import load


# %%
def load_sleep():
    """Prepare the sleep trial for the model.

    Load the data with ``load("sleep")`` and return a dict of numpy arrays, in file order:

    - ``"extra"``: float64, shape (20,), extra hours of sleep;
    - ``"drug"``: int64, shape (20,), 0 for drug 1 and 1 for drug 2;
    - ``"patient"``: int64, shape (20,), 0..9 for patients 1..10.

    Hint: the file numbers drugs and patients from 1; indices into NumPyro arrays start at 0.
    """
    raise NotImplementedError("load_sleep: extra, 0-based drug and patient indices")


# %%
def plot_paired(df):
    """Paired plot of the trial.

    ``df`` is the data frame from ``load("sleep")``. Return a Figure with one axes: the drug on
    the x axis (two positions), extra hours of sleep on the y axis, and one line per patient
    (10 lines, 2 points each) joining that patient's result under drug 1 to drug 2. Label both
    axes (x: drug, y: extra sleep in hours).
    """
    raise NotImplementedError("plot_paired: one line per patient")


# %%
def model(extra, drug, patient, n_patients):
    """Hierarchical model with a drug effect and zero-mean patient effects.

    Priors: delta ~ Normal(0, 5) for each drug (site ``delta``, shape (2,)),
    tau ~ HalfNormal(3) (site ``tau``, spread of the patients), sigma ~ HalfNormal(3)
    (site ``sigma``, night-to-night noise).
    Patient effects (site ``u``, shape (n_patients,), inside a plate over patients):
    u_p ~ Normal(0, tau).
    Likelihood (observed site ``extra``, in a plate over the 20 observations):
    extra_i ~ Normal(delta[drug_i] + u[patient_i], sigma).

    Why mean zero: with u_p ~ Normal(m, tau) and a free m, adding a constant to m and taking it
    off both deltas gives the same fit, so delta is not identified (huge posterior sd, poor
    R-hat). With mean zero, delta[d] is the average extra sleep on drug d.
    Leaving u out treats the 20 numbers as independent and throws away the pairing.
    A non-centred ``u`` (``LocScaleReparam(0)``) is fine as long as the site is called ``u``.
    """
    raise NotImplementedError("model: delta[drug] + u[patient] with u ~ Normal(0, tau)")


# %%
def effect_difference(samples):
    """Posterior draws of delta[1] - delta[0] (drug 2 minus drug 1), a numpy array of shape (draws,).

    ``samples`` is the dict from ``fit.get_samples()``; ``samples["delta"]`` has shape (draws, 2).
    """
    raise NotImplementedError("effect_difference: delta[1] - delta[0] for every draw")


def prob_drug2_better(samples):
    """Posterior probability that drug 2 gives more extra sleep than drug 1, as a float.

    The share of draws in which delta[1] > delta[0].
    """
    raise NotImplementedError("prob_drug2_better: share of draws with delta[1] > delta[0]")
