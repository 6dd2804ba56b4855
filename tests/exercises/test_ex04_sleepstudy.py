"""Checks for exercise 4, the sleep study: data, plots, and the complete, no and partial pooling models."""
import warnings

import matplotlib
import numpy as np
import pytest
from scipy import stats
from numpyro import handlers

from autograder import feedback, posterior, structure
from autograder.priors import Prior, prior_problems
from autograder.sampling import SamplerSettings
from autograder.stats import arviz
from coursekit.data import load

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the non-interactive backend

EXERCISE = "ex04_sleepstudy"
N_SUBJECTS = 18
SUBJECT_308, SUBJECT_335 = 0, 8  # positions of subjects 308 and 335 in the sorted subject ids


def sleepstudy() -> dict:
    """The arrays load_sleepstudy must return, built from the validated course data."""
    frame = load("sleepstudy")
    subject_ids, subject = np.unique(frame["Subject"].to_numpy(), return_inverse=True)
    return {"days": frame["Days"].to_numpy(dtype=float), "reaction": frame["Reaction"].to_numpy(dtype=float),
            "subject": subject.astype(np.int64), "subject_ids": subject_ids.astype(np.int64)}


def complete_data() -> tuple:
    data = sleepstudy()
    return data["days"], data["reaction"]


def grouped_data() -> tuple:
    data = sleepstudy()
    return data["days"], data["subject"], N_SUBJECTS, data["reaction"]


VARIANCE_HINT = ("the second argument of dist.Normal / dist.HalfNormal is a standard deviation: a value near the "
                 "square root of the reference means a variance was used where an sd belongs (e.g. "
                 "Normal(mean, sigma**2)); near its square, an sd was square-rooted")
SITE_HINTS = {
    "alpha": "alpha is reaction time on day 0 (ms); prior alpha ~ Normal(300, 100)",
    "beta": "beta is the change in reaction time per day of sleep deprivation; multiply it by days",
    "sigma": "sigma is the sd of reaction around each line, prior HalfNormal(50); " + VARIANCE_HINT,
    "mu_alpha": "mu_alpha is the population's average day-0 reaction time; alpha_j ~ Normal(mu_alpha, sigma_alpha)",
    "mu_beta": "mu_beta is the population's average slope; beta_j ~ Normal(mu_beta, sigma_beta) and the mean "
               "of reaction must include beta[subject] * days",
    "sigma_alpha": "sigma_alpha ~ HalfNormal(50) is the sd of the subjects' intercepts; " + VARIANCE_HINT,
    "sigma_beta": "sigma_beta ~ HalfNormal(20) is the sd of the subjects' slopes; " + VARIANCE_HINT,
}
PRIORS = {
    "alpha": Prior("Normal", {"loc": 300.0, "scale": 100.0}), "beta": Prior("Normal", {"loc": 0.0, "scale": 20.0}),
    "sigma": Prior("HalfNormal", {"scale": 50.0}),
    "mu_alpha": Prior("Normal", {"loc": 300.0, "scale": 100.0}),
    "mu_beta": Prior("Normal", {"loc": 0.0, "scale": 20.0}),
    "sigma_alpha": Prior("HalfNormal", {"scale": 50.0}), "sigma_beta": Prior("HalfNormal", {"scale": 20.0}),
}
POOLED = {"alpha": Prior("Normal", {"loc": "mu_alpha", "scale": "sigma_alpha"}),
          "beta": Prior("Normal", {"loc": "mu_beta", "scale": "sigma_beta"})}
LIKELIHOOD = "reaction_i ~ Normal(alpha[subject_i] + beta[subject_i] * days_i, sigma)"
LME4 = "lme4 REML fit of Reaction ~ Days + (Days | Subject) (Bates et al. 2015)"

SPEC = posterior.ExerciseSpec(
    exercise=EXERCISE,
    sampler=SamplerSettings(num_chains=4, num_warmup=500, num_samples=1000, target_accept_prob=0.8,
                            seed=20231, chain_method="parallel"),
    reference=SamplerSettings(num_chains=4, num_warmup=1500, num_samples=10000, target_accept_prob=0.9,
                              seed=7, chain_method="sequential"),
    fits=(
        posterior.FitSpec(
            id="complete", model="complete_pooling_model", data=complete_data, sites=("alpha", "beta", "sigma"),
            hints=SITE_HINTS,
            agrees_with={"alpha/mean": "least squares 251.4 ms; with these priors and sigma fixed at 47.9 "
                                       "the conjugate (closed-form) posterior mean is 251.8 ms",
                         "beta/mean": "least squares 10.47 ms/day; conjugate posterior mean with these "
                                      "priors (sigma fixed at 47.9) 10.39 ms/day"},
        ),
        posterior.FitSpec(
            id="none", model="no_pooling_model", data=grouped_data, sites=("beta", "sigma"),
            statistics=("mean", "sd"), hints=SITE_HINTS,
            agrees_with={"beta[8]/mean": "least squares line of subject 335 alone: -2.88 ms/day "
                                         "(the priors move it by less than 0.1)"},
        ),
        posterior.FitSpec(
            id="partial", model="partial_pooling_model", data=grouped_data,
            sites=("mu_alpha", "mu_beta", "sigma_alpha", "sigma_beta", "sigma", "beta"),
            site_statistics={"beta": ("mean", "sd"), "sigma_alpha": ("mean", "sd"), "sigma_beta": ("mean", "sd")},
            hints=SITE_HINTS,
            agrees_with={"mu_alpha/mean": f"{LME4}: fixed intercept 251.4 ms",
                         "mu_beta/mean": f"{LME4}: fixed slope 10.47 ms/day",
                         "sigma/mean": f"{LME4}: residual sd 25.6 ms"},
        ),
    ),
    loo=(
        posterior.LooSpec(
            id="partial_vs_complete", better="partial", worse="complete",
            note="Partial pooling leaves 3-4 observations with Pareto k > 0.7 (subject 332 on days 6 and 9 "
                 "and subject 308 on day 7 in every one of 3 runs checked), so PSIS-LOO's estimate varies "
                 "between runs more than a formula would say: its spread is measured by repeated runs.",
        ),
    ),
)
FITS = {fit.id: fit for fit in SPEC.fits}


# ---------------------------------------------------------------- data

@pytest.mark.points(2)
def test_load_sleepstudy(module):
    want = sleepstudy()
    result = feedback.call(module, "load_sleepstudy",
                           hint="use coursekit.data.load('sleepstudy') and np.unique(..., return_inverse=True)")
    if not isinstance(result, dict):
        pytest.fail(f"load_sleepstudy returned {type(result).__name__}; expected a dict with keys "
                    f"{sorted(want)}", pytrace=False)
    missing = [key for key in want if key not in result]
    feedback.fail([f"missing key {key!r}" for key in missing], heading="load_sleepstudy's dict is incomplete:")
    problems = []
    for key, value in want.items():
        got = np.asarray(result[key])
        if got.shape != value.shape:
            problems.append(f"{key!r} has shape {got.shape}; expected {value.shape}")
        elif got.dtype != value.dtype:
            use = "it is used as an index" if key.startswith("subject") else "a measurement, not a count"
            problems.append(f"{key!r} has dtype {got.dtype}; the task asks for {value.dtype} ({use})")
        elif key == "subject" and np.array_equal(got, value + 1):
            problems.append("'subject' runs from 1 to 18: subtract 1, NumPy and NumPyro index from 0")
        elif not np.array_equal(got, value):
            problems.append(f"{key!r} differs from the data, first values {got[:5].tolist()}; "
                            f"expected {value[:5].tolist()}")
    feedback.fail(problems, heading="load_sleepstudy does not return the expected arrays:",
                  hint="keep the rows in file order; subject_ids sorted ascending, subject_ids[subject] == Subject")


# ---------------------------------------------------------------- plots

def points_of(ax) -> np.ndarray:
    """(x, y) of every marker drawn on ``ax`` (plot with a marker and no line, or scatter), shape (n, 2)."""
    chunks = [np.column_stack([line.get_xdata(), line.get_ydata()]).astype(float) for line in ax.get_lines()
              if line.get_marker() not in (None, "", "None", " ") and line.get_linestyle() in ("None", "", " ")]
    chunks += [np.asarray(collection.get_offsets(), dtype=float) for collection in ax.collections
               if len(collection.get_offsets())]
    return np.concatenate(chunks) if chunks else np.empty((0, 2))


def same_points(found: np.ndarray, want: np.ndarray) -> bool:
    if found.shape != want.shape:
        return False
    return np.allclose(found[np.lexsort(found.T[::-1])], want[np.lexsort(want.T[::-1])])


def subject_points(frame, subject_id) -> np.ndarray:
    rows = frame[frame["Subject"] == subject_id]
    return np.column_stack([rows["Days"], rows["Reaction"]]).astype(float)


def figure_from(module, function, *args, hint=""):
    figure = feedback.call(module, function, *args, hint=hint)
    if not isinstance(figure, matplotlib.figure.Figure):
        pytest.fail(f"{function} returned {type(figure).__name__}; expected a matplotlib Figure "
                    f"(e.g. `fig, axes = plt.subplots(...)` ... `return fig`)", pytrace=False)
    return figure


@pytest.mark.points(1)
def test_plot_subjects(module):
    frame = load("sleepstudy")
    figure = figure_from(module, "plot_subjects", frame.copy(), hint="one axes per subject, plt.subplots(3, 6)")
    try:
        panels = [ax for ax in figure.axes if len(points_of(ax))]
        problems = []
        if len(panels) != N_SUBJECTS:
            problems.append(f"{len(panels)} axes show points; expected {N_SUBJECTS}, one per subject")
        seen = set()
        for ax in panels:
            found = points_of(ax)
            owners = [sid for sid in np.unique(frame["Subject"]) if same_points(found, subject_points(frame, sid))]
            if not owners:
                problems.append(f"the axes titled {ax.get_title()!r} shows {len(found)} points that are not "
                                f"one subject's (Days, Reaction)")
                continue
            seen.add(owners[0])
            if str(owners[0]) not in ax.get_title():
                problems.append(f"the axes with subject {owners[0]}'s points has title {ax.get_title()!r}; "
                                f"put the subject number in the title")
        if panels and len(seen) != N_SUBJECTS:
            problems.append(f"the panels show {len(seen)} different subjects; expected all {N_SUBJECTS}")
        feedback.fail(problems, heading="plot_subjects is not one scatter panel per subject:",
                      hint="for each subject: ax.plot(days, reaction, 'o') (or ax.scatter) and "
                           "ax.set_title(f'Subject {id}')")
    finally:
        plt.close(figure)


def fake_samples(rng: np.random.Generator) -> dict:
    """Posterior-like draws with known means for the three models (distinct for every subject)."""
    draws = 200
    return {
        "complete": {"alpha": rng.normal(251.0, 5.0, draws), "beta": rng.normal(10.5, 1.0, draws)},
        "none": {"alpha": rng.normal(rng.uniform(200, 300, N_SUBJECTS), 5.0, (draws, N_SUBJECTS)),
                 "beta": rng.normal(rng.uniform(-5, 25, N_SUBJECTS), 1.0, (draws, N_SUBJECTS))},
        "partial": {"alpha": rng.normal(rng.uniform(200, 300, N_SUBJECTS), 5.0, (draws, N_SUBJECTS)),
                    "beta": rng.normal(rng.uniform(-5, 25, N_SUBJECTS), 1.0, (draws, N_SUBJECTS))},
    }


def trend_lines(ax):
    """Line2D objects drawn with a line style and at least two points."""
    return [line for line in ax.get_lines()
            if line.get_linestyle() not in ("None", "", " ") and len(line.get_xdata()) >= 2]


def matches(line, intercept, slope) -> bool:
    x, y = np.asarray(line.get_xdata(), dtype=float), np.asarray(line.get_ydata(), dtype=float)
    return np.allclose(y, intercept + slope * x, rtol=1e-4, atol=1e-3)


LINE_LABELS = {"complete": ("complete",), "none": ("no pooling", "no-pooling", "none", "unpooled"),
               "partial": ("partial",)}


def three_fit_problems(figure, frame, samples, subjects) -> list[str]:
    ids = list(np.unique(frame["Subject"]))
    panels = [ax for ax in figure.axes if len(points_of(ax))]
    if len(panels) != len(subjects):
        return [f"{len(panels)} axes show points; expected {len(subjects)}, one per subject in {subjects}"]
    problems = []
    for ax, subject_id in zip(panels, subjects):
        if not same_points(points_of(ax), subject_points(frame, subject_id)):
            problems.append(f"axes {ax.get_title()!r} does not show the 10 points of subject {subject_id}")
            continue
        position = ids.index(subject_id)
        lines = trend_lines(ax)
        for key, words in LINE_LABELS.items():
            per_subject = key != "complete"
            intercept = (samples[key]["alpha"][:, position] if per_subject else samples[key]["alpha"]).mean()
            slope = (samples[key]["beta"][:, position] if per_subject else samples[key]["beta"]).mean()
            found = [line for line in lines if matches(line, intercept, slope)]
            if not found:
                problems.append(f"subject {subject_id}: no line y = {intercept:.1f} + {slope:.2f} * day, the "
                                f"{key} model's posterior-mean line"
                                + ("" if key == "complete" else f" (column {position} of its draws)"))
            elif not any(word in found[0].get_label().lower() for word in words):
                problems.append(f"subject {subject_id}: the {key} model's line is labelled "
                                f"{found[0].get_label()!r}; expected {words[0]!r} in its label")
        if ax.get_legend() is None and not figure.legends:
            problems.append(f"subject {subject_id}: no legend (call ax.legend())")
    return problems


@pytest.mark.points(2)
def test_plot_three_fits(module):
    frame = load("sleepstudy")
    rng = np.random.default_rng(4)
    problems = []
    for subjects in [(308, 335), (372, 309)]:
        samples = fake_samples(rng)
        args = (frame.copy(), samples) if subjects == (308, 335) else (frame.copy(), samples, subjects)
        figure = figure_from(module, "plot_three_fits", *args,
                             hint="samples['none']['beta'][:, j] are the draws of subject subject_ids[j]")
        try:
            problems = [f"with subjects={subjects}: {p}" for p in three_fit_problems(figure, frame, samples, subjects)]
        finally:
            plt.close(figure)
        if problems:
            break
    feedback.fail(problems, heading="plot_three_fits does not show the three posterior-mean lines:",
                  hint="for each subject plot its points, then a + b * days for each model with a, b the "
                       "posterior means (for no/partial pooling take the subject's column); label the lines "
                       "'complete pooling', 'no pooling', 'partial pooling' and add a legend")


# ---------------------------------------------------------------- structure

def days_problems(module, function, args) -> list[str]:
    """The likelihood's mean must change when Days change (latent values held fixed)."""
    model = feedback.function_of(feedback.unwrap(module), function)
    latent = {name: site["value"] for name, site in
              handlers.trace(handlers.seed(model, 1)).get_trace(*args).items()
              if site["type"] == "sample" and not site["is_observed"]}

    def observed_means(days):
        trace = handlers.trace(handlers.substitute(handlers.seed(model, 1), data=latent)).get_trace(days, *args[1:])
        return [np.asarray(site["fn"].mean) for site in trace.values()
                if site["type"] == "sample" and site["is_observed"]]

    before, after = observed_means(args[0]), observed_means(args[0] + 1.0)
    if all(np.allclose(a, b, rtol=1e-6, atol=1e-6) for a, b in zip(before, after)):
        return ["the mean of reaction does not change when Days change: Days are left out of the mean "
                "(it needs + beta * days)"]
    return []


def model_structure(module, function, args):
    found = structure.inspect_student_model(module, function, *args)
    try:
        found_days = days_problems(module, function, args)
    except Exception as error:  # noqa: BLE001 - the structure already ran, so this is unexpected
        found_days = [f"running the model with changed days failed: {type(error).__name__}: {error}"]
    return found, found_days


@pytest.mark.points(1)
def test_complete_pooling_structure(module):
    found, days = model_structure(module, "complete_pooling_model", complete_data())
    problems = structure.site_problems(found, {"alpha": (), "beta": (), "sigma": (), "reaction": (180,)})
    if not problems:
        problems = (structure.observed_problems(found, ["reaction"])
                    + prior_problems(found, {site: PRIORS[site] for site in ("alpha", "beta", "sigma")})
                    + structure.dependency_problems(found, "reaction", ["alpha", "beta", "sigma"])
                    + structure.outside_plate_problems(found, ["alpha", "beta", "sigma"]) + days)
    structure.check(problems, "complete_pooling_model",
                    hint="one alpha, one beta and one sigma for everybody; reaction ~ Normal(alpha + beta * days, "
                         "sigma) with obs=reaction inside a plate over the 180 rows",
                    task="alpha ~ Normal(300, 100), beta ~ Normal(0, 20), sigma ~ HalfNormal(50), "
                         "reaction_i ~ Normal(alpha + beta * days_i, sigma)")


@pytest.mark.points(1)
def test_no_pooling_structure(module):
    found, days = model_structure(module, "no_pooling_model", grouped_data())
    problems = structure.site_problems(found, {"alpha": (N_SUBJECTS,), "beta": (N_SUBJECTS,), "sigma": (),
                                               "reaction": (180,)})
    if not problems:
        problems = (structure.observed_problems(found, ["reaction"])
                    + prior_problems(found, {site: PRIORS[site] for site in ("alpha", "beta", "sigma")})
                    + structure.plate_problems(found, ["alpha", "beta"], size=N_SUBJECTS)
                    + structure.outside_plate_problems(found, ["sigma"])
                    + structure.dependency_problems(found, "alpha", [], exactly=True)
                    + structure.dependency_problems(found, "beta", [], exactly=True)
                    + structure.dependency_problems(found, "reaction", ["alpha", "beta", "sigma"]) + days)
    structure.check(problems, "no_pooling_model",
                    hint="alpha and beta with fixed priors (no hyper-parameters) inside a plate over the 18 "
                         "subjects; the mean of row i is alpha[subject[i]] + beta[subject[i]] * days[i]",
                    task="alpha_j ~ Normal(300, 100) and beta_j ~ Normal(0, 20) independently for each subject, "
                         "sigma ~ HalfNormal(50), " + LIKELIHOOD)


@pytest.mark.points(2)
def test_partial_pooling_structure(module):
    found, days = model_structure(module, "partial_pooling_model", grouped_data())
    hyper = ["mu_alpha", "mu_beta", "sigma_alpha", "sigma_beta", "sigma"]
    problems = structure.site_problems(found, {**{name: () for name in hyper}, "alpha": (N_SUBJECTS,),
                                               "beta": (N_SUBJECTS,), "reaction": (180,)})
    if not problems:
        problems = (structure.observed_problems(found, ["reaction"])
                    + prior_problems(found, {**{site: PRIORS[site] for site in hyper}, "alpha": POOLED["alpha"]})
                    + structure.plate_problems(found, ["alpha", "beta"], size=N_SUBJECTS)
                    + structure.outside_plate_problems(found, hyper)
                    + structure.dependency_problems(found, "alpha", ["mu_alpha", "sigma_alpha"])
                    + structure.dependency_problems(found, "reaction", ["alpha", "beta", "sigma"]) + days)
        slopes = structure.dependency_problems(found, "beta", ["mu_beta", "sigma_beta"])
        if slopes:
            problems += slopes + ["the slopes are not pooled: beta_j ~ Normal(mu_beta, sigma_beta)"]
        else:
            problems += prior_problems(found, {"beta": POOLED["beta"]})
    structure.check(problems, "partial_pooling_model",
                    hint="hyper-parameters outside the plate; inside `with numpyro.plate('subjects', n_subjects):` "
                         "alpha ~ Normal(mu_alpha, sigma_alpha) and beta ~ Normal(mu_beta, sigma_beta)",
                    task="mu_alpha ~ Normal(300, 100), mu_beta ~ Normal(0, 20), sigma_alpha ~ HalfNormal(50), "
                         "sigma_beta ~ HalfNormal(20), sigma ~ HalfNormal(50); alpha_j ~ Normal(mu_alpha, "
                         "sigma_alpha), beta_j ~ Normal(mu_beta, sigma_beta); " + LIKELIHOOD)


# ---------------------------------------------------------------- posterior

UNUSED_HINT = {
    "mu_beta": "the slopes are not pooled (beta_j ~ Normal(mu_beta, sigma_beta)) or Days are left out of the mean",
    "sigma_beta": "the slopes are not pooled: beta_j ~ Normal(mu_beta, sigma_beta)",
    "mu_alpha": "the intercepts are not pooled: alpha_j ~ Normal(mu_alpha, sigma_alpha)",
    "sigma_alpha": "the intercepts are not pooled: alpha_j ~ Normal(mu_alpha, sigma_alpha)",
}


def diagnosis(fit, spec: posterior.FitSpec, records: list[dict], site: str) -> str:
    """The site's hint, sharpened when the student's draws point at a specific mistake."""
    record = {r["statistic"]: r for r in records}
    draws = fit.component(site, tuple(records[0]["index"]))
    value, spread = posterior.statistic_value(draws, "mean"), posterior.statistic_value(draws, "sd")
    reference, hint = record["mean"]["reference"], spec.hints.get(site, "")
    if "sd" in record and spread > 5 * record["sd"]["reference"]:
        return (f"the posterior of {site} is about as wide as its prior, so the data hardly inform it: "
                f"{UNUSED_HINT.get(site, 'is it used in the likelihood?')}. {hint}")
    if site.startswith("sigma") and np.isclose(value, np.sqrt(reference), rtol=0.35):
        return "your value is close to the square root of the reference: " + VARIANCE_HINT
    if site.startswith("sigma") and np.isclose(value, reference ** 2, rtol=0.35):
        return "your value is close to the square of the reference: " + VARIANCE_HINT
    if site in ("beta", "mu_beta") and abs(value) < 0.25 * abs(reference) and abs(reference) > 5:
        return "the slope is near zero: are Days left out of the mean? " + hint
    return hint


def check_records(fit_outcome, spec, records, site):
    fit = fit_outcome.value
    problems = posterior.site_problems(fit, records)
    if problems:
        feedback.fail(problems, heading=f"posterior of {site} in {spec.model} is off:",
                      hint=diagnosis(fit, spec, records, site))


@pytest.mark.points(1)
@pytest.mark.parametrize("fit_id", ["complete", "none", "partial"])
def test_convergence(fits, fit_id):
    posterior.check_convergence(fits(fit_id), FITS[fit_id])


@pytest.mark.points(1)
@pytest.mark.parametrize("site", FITS["complete"].sites)
def test_complete_pooling_posterior(fits, expected, site):
    check_records(fits("complete"), FITS["complete"], expected.records("complete", site), site)


@pytest.mark.points(1)
@pytest.mark.parametrize("site", FITS["none"].sites)
def test_no_pooling_posterior(fits, expected, site):
    check_records(fits("none"), FITS["none"], expected.records("none", site), site)


@pytest.mark.points(2)
@pytest.mark.parametrize("site", ["mu_alpha", "mu_beta"])
def test_population_line(fits, expected, site):
    check_records(fits("partial"), FITS["partial"], expected.records("partial", site), site)


@pytest.mark.points(1)
@pytest.mark.parametrize("site", ["sigma", "sigma_alpha", "sigma_beta"])
def test_partial_pooling_scales(fits, expected, site):
    check_records(fits("partial"), FITS["partial"], expected.records("partial", site), site)


SLOPE_HINTS = {
    SUBJECT_308: "subject 308 is column 0 of beta (subjects in increasing order, counted from 0)",
    SUBJECT_335: "subject 335 (column 8) barely slows down; partial pooling pulls its slope towards mu_beta. "
                 "A slope near its own least-squares line (-2.9 ms/day) means the slopes are not pooled",
}


@pytest.mark.points(2)
@pytest.mark.parametrize("position", [SUBJECT_308, SUBJECT_335], ids=["subject308", "subject335"])
def test_partial_pooling_subject_slope(fits, expected, position):
    records = [r for r in expected.records("partial", "beta") if r["index"] == [position]]
    fit = fits("partial").value
    problems = posterior.site_problems(fit, records)
    feedback.fail(problems, heading="posterior slope of a subject in partial_pooling_model is off:",
                  hint=SLOPE_HINTS[position] + "; " + diagnosis(fit, FITS["partial"], records, "beta"))


@pytest.mark.points(1)
def test_partial_pooling_other_slopes(fits, expected):
    records = [r for r in expected.records("partial", "beta") if r["index"] not in ([SUBJECT_308], [SUBJECT_335])]
    check_records(fits("partial"), FITS["partial"], records, "beta")


# ---------------------------------------------------------------- posterior predictive check

PPC_FALSE_FAILURE = 1e-6
"""Probability that a correct replicate_reactions fails one of the exact tests below."""


def draws_by_site(fit) -> dict:
    """A fit's draws with chains merged, as ``mcmc.get_samples()`` gives them (draws first)."""
    return {site: values.reshape(-1, *values.shape[2:]) for site, values in fit.draws.items()}


def standardised_replicates(replicates, samples) -> np.ndarray:
    """(y_rep - mean line) / sigma per draw: independent N(0, 1) values when the replicates are right."""
    data = sleepstudy()
    line = samples["alpha"][:, data["subject"]] + samples["beta"][:, data["subject"]] * data["days"]
    return (replicates - line) / samples["sigma"][:, None]


def replicate_problems(replicates, samples, observed) -> list[str]:
    """Exact tests of replicated data given the draws: each z-value N(0, 1), all independent."""
    draws = len(samples["sigma"])
    if replicates.shape != (draws, len(observed)):
        return [f"the replicates have shape {replicates.shape}; expected ({draws}, {len(observed)}), one "
                f"replicated data set (row) per posterior draw"]
    if np.allclose(replicates, observed):
        return ["every replicated data set equals the observed reaction times: do not pass reaction= to "
                "Predictive or the model, or the observed site stays fixed at the data"]
    z = standardised_replicates(replicates, samples)
    # sum of z^2 over draws and observations ~ chi-square(draws * observations)
    low, high = stats.chi2.ppf([PPC_FALSE_FAILURE / 4, 1 - PPC_FALSE_FAILURE / 4], z.size)
    ratio = float(np.sqrt(np.sum(z ** 2) / z.size))
    if np.allclose(z, 0.0, atol=1e-6):
        return ["the replicates lie exactly on each draw's line alpha[subject] + beta[subject] * days: they "
                "lack the noise of the likelihood; draw reaction ~ Normal(line, sigma) (Predictive does)"]
    problems = []
    if not low <= np.sum(z ** 2) <= high:
        problems.append(f"the replicates scatter around each draw's line with {ratio:.3g} times that draw's "
                        f"sigma; expected 1 (chi-square test over {z.size} values, range "
                        f"{np.sqrt(low / z.size):.4f} to {np.sqrt(high / z.size):.4f})")
    # each observation's mean z over draws ~ N(0, 1/draws); the largest of them, Bonferroni over observations
    limit = stats.norm.isf(PPC_FALSE_FAILURE / 4 / z.shape[1]) / np.sqrt(draws)
    off = np.flatnonzero(np.abs(z.mean(axis=0)) > limit)
    if len(off):
        problems.append(f"{len(off)} observation(s) are not centred on their line, e.g. observation "
                        f"{off[0]}: mean standardised difference {z.mean(axis=0)[off[0]]:.3f}, expected within "
                        f"+-{limit:.3f}; row s must come from draw s of the samples (posterior_samples=samples), "
                        f"not from new prior draws or another model")
    return problems


def solution_replicate_problems(solution, fits, seed) -> list[str]:
    """The replicate check on a solution's own fit and seed (scripts/fairness.py runs it per seed)."""
    samples, data = draws_by_site(fits["partial"]), sleepstudy()
    replicates = solution.replicate_reactions(samples, data["days"], data["subject"], N_SUBJECTS, seed=seed)
    return replicate_problems(np.asarray(replicates, dtype=float), samples, data["reaction"])


SEEDED_CHECKS = {"replicate_reactions": solution_replicate_problems}


@pytest.mark.points(2)
def test_replicate_reactions(module, fits):
    samples = draws_by_site(fits("partial").value)
    data = sleepstudy()
    args = (data["days"], data["subject"], N_SUBJECTS)
    hint = ("Predictive(partial_pooling_model, posterior_samples=samples)(jax.random.PRNGKey(seed), days, "
            "subject, n_subjects)['reaction'], without the observed reaction times")
    first = np.asarray(feedback.call(module, "replicate_reactions", samples, *args, seed=1, hint=hint), dtype=float)
    problems = replicate_problems(first, samples, data["reaction"])
    if not problems:
        second = np.asarray(feedback.call(module, "replicate_reactions", samples, *args, seed=2, hint=hint))
        if np.array_equal(first, second):
            problems.append("seed=1 and seed=2 give the same replicates: make the key from the seed argument")
    feedback.fail(problems, heading="replicate_reactions does not draw from the posterior predictive "
                                    "distribution:", hint=hint)


def reference_slowest_p_value(replicates, reaction, subject) -> float:
    """The share of replicated data sets whose largest subject mean is at least the observed one."""
    def slowest(values):
        means = np.stack([values[..., subject == j].mean(axis=-1) for j in range(N_SUBJECTS)], axis=-1)
        return means.max(axis=-1)
    return float(np.mean(slowest(replicates) >= slowest(reaction)))


@pytest.mark.points(1)
def test_slowest_subject_p_value(module):
    data = sleepstudy()
    rng = np.random.default_rng(17)
    problems = []
    for shift in (0.0, 15.0, -15.0):
        replicates = data["reaction"] + shift + rng.normal(0.0, 30.0, (500, len(data["reaction"])))
        want = reference_slowest_p_value(replicates, data["reaction"], data["subject"])
        got = feedback.call(module, "slowest_subject_p_value", replicates, data["reaction"].copy(), data["subject"])
        if not isinstance(got, (float, np.floating)) or not np.isclose(got, want, atol=1e-9):
            diagnosis = ""
            if isinstance(got, (float, np.floating)) and np.isclose(got, 1 - want, atol=1e-9):
                diagnosis = ": it is 1 minus the expected value, so the comparison is reversed"
            problems.append(f"with replicates {shift:+g} ms slower than the data: got {got!r}; expected "
                            f"{want:.4f}{diagnosis}")
            break
    feedback.fail(problems, heading="slowest_subject_p_value is not the posterior predictive p-value:",
                  hint="T(y) = the largest of the 18 subject means; p = mean over replicated data sets of "
                       "[T(y_rep) >= T(y_observed)], returned as a Python float")


# ---------------------------------------------------------------- PSIS-LOO comparison

@pytest.fixture(scope="module")
def partial_minus_complete(fits):
    """``get()``: ArviZ's (elpd difference, dse) of the student's own two fits, computed once."""
    cache = {}

    def get():
        if not cache:
            cache["value"] = posterior.elpd_difference(fits("partial").value.mcmc, fits("complete").value.mcmc)
        return cache["value"]

    return get


def elpd_diagnosis(got, want, complete, partial) -> str:
    """What a wrong (difference, se) pair most likely mixed up."""
    difference, se = got
    if np.isclose(difference, -want, rtol=0.01):
        return "the difference has the wrong sign: partial pooling minus complete pooling"
    if np.isclose(difference, -2 * want, rtol=0.01):
        return "that is the deviance scale (-2 x elpd): keep ArviZ's default log scale"
    az = arviz()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # high Pareto k is not what this diagnosis is about
        se_complete, se_partial = (float(az.loo(az.from_numpyro(fit.mcmc)).se) for fit in (complete, partial))
    if np.isclose(se, np.hypot(se_complete, se_partial), rtol=0.01):
        return ("the standard error combines the two models' own standard errors as if they were independent; "
                "they are scored on the same observations: take dse from az.compare")
    if np.isclose(se, se_partial, rtol=0.01) or np.isclose(se, se_complete, rtol=0.01):
        return "that is one model's standard error, not the standard error of the difference (dse)"
    return "compare the two fits with az.compare and read elpd_loo and dse"


@pytest.mark.points(2)
def test_elpd_loo_difference(module, fits, partial_minus_complete):
    complete, partial = fits("complete").value, fits("partial").value
    got = feedback.call(module, "elpd_loo_difference", complete.mcmc, partial.mcmc,
                        hint="az.compare({'complete': az.from_numpyro(complete_fit), 'partial': ...})")
    if not (isinstance(got, (tuple, list)) and len(got) == 2 and all(np.isscalar(v) for v in got)):
        pytest.fail(f"elpd_loo_difference returned {got!r}; expected a tuple (difference, standard error) of "
                    f"two numbers", pytrace=False)
    want, dse = partial_minus_complete()
    # PSIS-LOO is deterministic given the draws: any correct computation agrees to rounding; the se may use
    # n or n - 1 in its variance (a factor 1.003 with 180 observations).
    problems = []
    if not np.isclose(float(got[0]), want, atol=0.05):
        problems.append(feedback.value_message("the elpd_loo difference", float(got[0]),
                                               f"{want:.2f} (ArviZ on the same fits)"))
    if not np.isclose(float(got[1]), dse, rtol=0.01):
        problems.append(feedback.value_message("its standard error", float(got[1]),
                                               f"{dse:.2f} (dse of az.compare on the same fits)"))
    feedback.fail(problems, heading="elpd_loo_difference does not compare the fits by PSIS-LOO:",
                  hint=elpd_diagnosis((float(got[0]), float(got[1])), want, complete, partial))


@pytest.mark.points(1)
def test_partial_pooling_predicts_better_by_the_expected_amount(expected, partial_minus_complete):
    difference, _ = partial_minus_complete()
    feedback.fail(posterior.loo_problems(difference, expected.loo_record("partial_vs_complete")),
                  heading="the two models do not differ in predictive accuracy as the correct models do:",
                  hint="both models must follow the task exactly; a difference near 0 means the subjects' lines are "
                       "not used in the partial pooling likelihood")
