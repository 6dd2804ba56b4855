"""Checks for exercise 3, the aspirin meta-analysis: data, complete pooling, centred and non-centred models."""
import numpy as np
import pytest

from autograder import feedback, posterior, structure
from autograder.priors import Prior, prior_problems
from autograder.sampling import SamplerSettings
from coursekit.data import load

EXERCISE = "ex03_aspirin"


def aspirin_data() -> tuple[np.ndarray, np.ndarray]:
    """(y, sd) of the six studies, from the validated course data (never from the student's module)."""
    frame = load("aspirin").sort_values("study")
    return frame["y"].to_numpy(dtype=float), frame["sd"].to_numpy(dtype=float)


SITE_HINTS = {
    "mu": "mu ~ Normal(mean(y), 10 * std(y)) is the average effect over studies; check the prior and "
          "that every study's effect theta_i is centred on mu",
    "tau": "tau ~ HalfCauchy(5 * std(y)) is the between-study standard deviation; a tau far too small or "
           "too large often means sd**2 (a variance) was passed where Normal expects a standard deviation, "
           "or theta is not one effect per study",
    "theta": "theta_i ~ Normal(mu, tau) and y_i ~ Normal(theta_i, sd_i): sd is a standard deviation (do not "
             "square it) and each study has its own theta_i inside the study plate",
}

SPEC = posterior.ExerciseSpec(
    exercise=EXERCISE,
    # 2000 draws a chain: with 1000 the largest R-hat over 50 seeds reached 1.0089, too near 1.01.
    # target_accept 0.99: at 0.95 one seed in 20 met 9 divergences in the half-Cauchy tail of tau.
    sampler=SamplerSettings(num_chains=4, num_warmup=1000, num_samples=2000, target_accept_prob=0.99,
                            seed=20231, chain_method="parallel"),
    reference=SamplerSettings(num_chains=4, num_warmup=2000, num_samples=25000, target_accept_prob=0.995,
                              seed=7, chain_method="sequential"),
    fits=(
        posterior.FitSpec(
            id="non_centred", model="non_centred_model", data=aspirin_data, sites=("mu", "tau", "theta"),
            max_divergences=5,
            note="Even non-centred, NUTS can diverge in the half-Cauchy tail of tau: at target_accept "
                 "0.95, 8 of 50 seeds (4 x 1000 draws) met 1-2 divergences and 1 of 20 seeds (4 x 2000) "
                 "met 9. At the grading 0.99, 0 of 20 seeds diverged; max_divergences = 5 is the margin "
                 "left for the tail. The centred model's funnel gives 32 on average, always at least one.",
            hints=SITE_HINTS,
            agrees_with={
                "mu/mean": "seed chapter's table: 1.54 (1000 draws)",
                "tau/mean": "seed chapter's table: 1.86 (1000 draws)",
                "theta[5]/mean": "seed chapter's table: -0.37, its sign restored (1000 draws)",
            },
        ),
        posterior.FitSpec(
            id="centred", model="centred_model", data=aspirin_data, sites=("mu",), statistics=("mean", "sd"),
            min_ess=100, convergence_graded=False, bias_allowance=0.1,
            reference_model="non_centred_model", hints=SITE_HINTS,
            note="Same posterior as the non-centred model, but NUTS cannot sample the centred funnel "
                 "without bias (divergences, at times a stuck chain). Only mu, the best-sampled "
                 "quantity, is compared with the true posterior (the non-centred reference), with "
                 "tolerances from min_ess = 100 plus a bias allowance of 0.1 posterior sd. Its "
                 "convergence is not graded: a correct centred model diverges and, in 2 of 50 seeds "
                 "measured, had a stuck chain (R-hat of mu 1.09 and 1.20) while mu still passed.",
        ),
    ),
)
FITS = {fit.id: fit for fit in SPEC.fits}


# ---------------------------------------------------------------- data and complete pooling

@pytest.mark.points(2)
def test_load_aspirin(module):
    y_expected, sd_expected = aspirin_data()
    result = feedback.call(module, "load_aspirin",
                           hint="use coursekit.data.load('aspirin') and return (y, sd) as numpy arrays")
    if not (isinstance(result, tuple) and len(result) == 2):
        pytest.fail(f"load_aspirin returned {type(result).__name__}; expected a tuple (y, sd)", pytrace=False)
    y, sd = (np.asarray(part, dtype=float) for part in result)
    problems = [f"{name} is {type(part).__name__} of {getattr(part, 'dtype', 'Python numbers')}; the task asks "
                f"for a float numpy array" for name, part in zip(("y", "sd"), result)
                if not (isinstance(part, np.ndarray) and np.issubdtype(part.dtype, np.floating))]
    if y.shape != (6,) or sd.shape != (6,):
        problems.append(f"shapes are y {y.shape}, sd {sd.shape}; expected (6,) each, one value per study")
    elif np.allclose(y, sd_expected) and np.allclose(sd, y_expected):
        problems.append("y and sd are swapped; return (y, sd)")
    else:
        if not np.allclose(sd, sd_expected):
            problems.append(f"sd is {sd.tolist()}; expected {sd_expected.tolist()}")
        if np.allclose(np.abs(y), y_expected) and not np.allclose(y, y_expected):
            problems.append(f"y is {y.tolist()}: the sixth study's estimate is negative ({y_expected[5]})")
        elif not np.allclose(y, y_expected):
            problems.append(f"y is {y.tolist()}; expected {y_expected.tolist()}")
    feedback.fail(problems, heading="load_aspirin does not return the six studies:",
                  hint="keep the studies in order 1..6 and do not type the numbers in by hand")


@pytest.mark.points(2)
def test_precision_weighted_mean(module):
    rng = np.random.default_rng(3)
    cases = [aspirin_data(), (rng.normal(0, 2, 9), rng.uniform(0.5, 3, 9))]
    problems = []
    for y, sd in cases:
        weights = sd ** -2.0
        estimate, standard_error = np.sum(weights * y) / np.sum(weights), np.sum(weights) ** -0.5
        result = feedback.call(module, "precision_weighted_mean", y, sd)
        got_estimate, got_error = (float(v) for v in result)
        if not np.isclose(got_estimate, estimate):
            hint = " (that is the plain mean: weight each study by 1 / sd**2)" if np.isclose(
                got_estimate, y.mean()) else ""
            problems.append(f"estimate is {got_estimate:.4f}; expected {estimate:.4f}{hint}")
        if not np.isclose(got_error, standard_error):
            hint = " (that is the variance: return its square root)" if np.isclose(
                got_error, standard_error ** 2) else ""
            problems.append(f"standard error is {got_error:.4f}; expected {standard_error:.4f}{hint}")
        if problems:
            break
    feedback.fail(problems, heading="precision_weighted_mean is off:",
                  hint="weights w_i = 1 / sd_i**2; estimate sum(w y) / sum(w); standard error 1 / sqrt(sum(w))")


# ---------------------------------------------------------------- structure

TASK = ("mu ~ Normal(mean(y), 10 * std(y)), tau ~ HalfCauchy(5 * std(y)), theta_i ~ Normal(mu, tau), "
        "y_i ~ Normal(theta_i, s_i), i = 1..6")


def priors() -> dict[str, Prior]:
    """The stated priors, their scales computed from the data as the task says."""
    y, _ = aspirin_data()
    return {"mu": Prior("Normal", {"loc": float(np.mean(y)), "scale": 10 * float(np.std(y))},
                        "Normal(mean(y), 10 * std(y))"),
            "tau": Prior("HalfCauchy", {"scale": 5 * float(np.std(y))}, "HalfCauchy(5 * std(y))"),
            "theta": Prior("Normal", {"loc": "mu", "scale": "tau"})}


def _common_structure_problems(found: structure.ModelStructure) -> list[str]:
    problems = structure.site_problems(found, {"mu": (), "tau": (), "theta": (6,), "obs": (6,)})
    if problems:
        return problems
    return (structure.distribution_problems(found, {"obs": "Normal"})
            + prior_problems(found, priors())
            + structure.observed_problems(found, ["obs"])
            + structure.dependency_problems(found, "theta", ["mu", "tau"])
            + structure.dependency_problems(found, "obs", ["theta"], exactly=True)
            + structure.plate_problems(found, ["theta", "obs"], size=6)
            + structure.outside_plate_problems(found, ["mu", "tau"]))


@pytest.mark.points(2)
def test_centred_structure(module):
    y, sd = aspirin_data()
    found = structure.inspect_student_model(module, "centred_model", y, sd)
    problems = _common_structure_problems(found)
    if not problems:
        problems += structure.distribution_problems(found, {"theta": "Normal"})
    structure.check(problems, "centred_model",
                    hint="sample mu and tau, then theta = numpyro.sample('theta', Normal(mu, tau)) inside "
                         "`with numpyro.plate('study', 6):` together with the observed 'obs'",
                    task=TASK + ", theta sampled from Normal(mu, tau) directly")


@pytest.mark.points(2)
def test_non_centred_structure(module):
    y, sd = aspirin_data()
    found = structure.inspect_student_model(module, "non_centred_model", y, sd)
    problems = _common_structure_problems(found)
    if not problems and found.distributions["theta"] != "Deterministic":
        problems.append(f"theta is sampled from {found.distributions['theta']} directly, so the model is "
                        "still centred")
    if not problems:
        standard = found.sources("theta") - found.made_of("mu") - found.made_of("tau")
        if len(standard) != 1 or found.shapes[min(standard)] != (6,):
            problems.append(f"theta should be built from mu, tau and one standard-normal site of shape (6,); "
                            f"it is computed from {', '.join(sorted(found.ancestors('theta')))}")
    structure.check(problems, "non_centred_model",
                    hint="wrap the centred model in numpyro.handlers.reparam(config={'theta': "
                         "LocScaleReparam(0)}), or sample theta_raw ~ Normal(0, 1) in the plate and set "
                         "theta = numpyro.deterministic('theta', mu + tau * theta_raw)",
                    task=TASK + ", non-centred: theta_i = mu + tau * z_i with z_i ~ Normal(0, 1)")


# ---------------------------------------------------------------- posterior

@pytest.mark.points(1)
def test_non_centred_convergence(fits):
    posterior.check_convergence(fits("non_centred"), FITS["non_centred"])


@pytest.mark.points(2)
@pytest.mark.parametrize("site", FITS["non_centred"].sites)
def test_non_centred_posterior(fits, expected, site):
    posterior.check_site(fits("non_centred"), FITS["non_centred"], expected.records("non_centred", site), site)


@pytest.mark.points(1)
def test_centred_posterior(fits, expected):
    posterior.check_site(fits("centred"), FITS["centred"], expected.records("centred", "mu"), "mu")
