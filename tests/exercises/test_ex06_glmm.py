"""Checks for exercise 6: a random intercept model and a Poisson GLMM on simulated district data."""
import numpy as np
import pytest
from numpyro import handlers

from autograder import feedback, posterior, structure
from autograder.priors import Prior, prior_problems
from autograder.sampling import SamplerSettings

EXERCISE = "ex06_glmm"
N_DISTRICTS = 40
DATA_SEED = 20231


def district_data() -> dict:
    """The exercise's simulated data, generated here exactly as `district_data()` in the exercise module.

    The checks never take data from the student's module (which a student can edit); this copy must stay
    identical to the one in exercises/ and solutions/ (tests/test_exercise_parity.py compares them).
    """
    rng = np.random.default_rng(DATA_SEED)
    truth = {"beta0": float(np.log(50 / 100_000)), "beta1": 0.4, "tau_cases": 0.3,
             "mu": 50.0, "tau": 5.0, "sigma": 10.0}
    population = np.round(np.exp(rng.uniform(np.log(5_000), np.log(200_000), N_DISTRICTS)))
    covariate = rng.normal(0.0, 1.0, N_DISTRICTS)
    covariate = (covariate - covariate.mean()) / covariate.std()
    district_effect = rng.normal(0.0, truth["tau_cases"], N_DISTRICTS)
    rate = np.exp(truth["beta0"] + truth["beta1"] * covariate + district_effect)
    cases = rng.poisson(population * rate)
    responses = rng.integers(5, 16, N_DISTRICTS)
    district = np.repeat(np.arange(N_DISTRICTS), responses)
    survey_effect = rng.normal(0.0, truth["tau"], N_DISTRICTS)
    score = truth["mu"] + survey_effect[district] + rng.normal(0.0, truth["sigma"], district.size)
    return {"cases": cases.astype(np.int64), "population": population.astype(np.int64), "covariate": covariate,
            "score": score, "district": district.astype(np.int64), "n_districts": N_DISTRICTS, "truth": truth}


def survey_data() -> tuple:
    data = district_data()
    return data["score"], data["district"], N_DISTRICTS


def count_data() -> tuple:
    data = district_data()
    return data["cases"], data["population"], data["covariate"]


def covariate_share(draws: dict) -> np.ndarray:
    """var_k(beta1 * x_k) / (var_k(beta1 * x_k) + tau^2) for every draw, shaped (chains, draws)."""
    covariate = district_data()["covariate"]
    explained = np.var(draws["beta1"][..., None] * covariate, axis=-1)
    return explained / (explained + draws["tau"] ** 2)


ZERO_MEAN = ("random effects have mean zero: alpha_k ~ Normal(0, tau), with the global level in a separate "
             "parameter (mu, or beta0 in the GLMM); a random effect centred on the global mean counts it twice")
OFFSET = ("the expected count is population * exp(beta0 + beta1 * covariate + alpha): add jnp.log(population) "
          "to the linear predictor (an offset with coefficient 1), not population itself")
POISSON = "counts need a Poisson likelihood: numpyro.sample('cases', dist.Poisson(rate), obs=cases)"
# Not a tolerance target: one simulated data set, so the posterior scatters around the truth by about its sd.
SIMULATED = "simulation truth (compare in posterior sds):"
SURVEY_HINTS = {
    "mu": "mu ~ Normal(0, 100) is the global mean score; " + ZERO_MEAN,
    "tau": "tau ~ HalfNormal(10) is the sd of the district effects (an sd, not a variance)",
    "sigma": "sigma ~ HalfNormal(20) is the sd of the scores within a district (an sd, not a variance)",
}
GLMM_HINTS = {
    "beta0": "beta0 is the log rate per person at covariate 0; " + OFFSET,
    "beta1": "beta1 is the change in log rate per unit of the covariate; " + POISSON,
    "tau": "tau ~ HalfNormal(1) is the sd of the district effects on the log rate; " + POISSON,
    "share": "share = var(beta1 * covariate) / (var(beta1 * covariate) + tau**2) per draw",
}

ZERO_MEAN_EFFECT = Prior("Normal", {"loc": 0.0, "scale": "tau"})
SURVEY_PRIORS = {"mu": Prior("Normal", {"loc": 0.0, "scale": 100.0}), "tau": Prior("HalfNormal", {"scale": 10.0}),
                 "sigma": Prior("HalfNormal", {"scale": 20.0}), "alpha": ZERO_MEAN_EFFECT}
GLMM_PRIORS = {"beta0": Prior("Normal", {"loc": -7.0, "scale": 2.0}),
               "beta1": Prior("Normal", {"loc": 0.0, "scale": 1.0}), "tau": Prior("HalfNormal", {"scale": 1.0}),
               "alpha": ZERO_MEAN_EFFECT}

SPEC = posterior.ExerciseSpec(
    exercise=EXERCISE,
    sampler=SamplerSettings(num_chains=4, num_warmup=500, num_samples=1000, target_accept_prob=0.9,
                            seed=20231, chain_method="parallel"),
    reference=SamplerSettings(num_chains=4, num_warmup=2000, num_samples=20000, target_accept_prob=0.95,
                              seed=7, chain_method="sequential"),
    fits=(
        posterior.FitSpec(
            id="survey", model="random_intercept_model", data=survey_data, sites=("mu", "tau", "sigma"),
            hints=SURVEY_HINTS,
            agrees_with={"mu/mean": f"{SIMULATED} mu = 50", "tau/mean": f"{SIMULATED} tau = 5",
                         "sigma/mean": f"{SIMULATED} sigma = 10"},
        ),
        posterior.FitSpec(
            id="glmm", model="poisson_glmm", data=count_data, sites=("beta0", "beta1", "tau"),
            derived={"share": covariate_share}, site_statistics={"share": ("mean", "sd")},
            hints=GLMM_HINTS,
            agrees_with={"beta0/mean": f"{SIMULATED} beta0 = log(50 / 100000) = -7.60",
                         "beta1/mean": f"{SIMULATED} beta1 = 0.4", "tau/mean": f"{SIMULATED} tau = 0.3",
                         "share/mean": f"{SIMULATED} 0.16 / (0.16 + 0.09) = 0.64"},
        ),
    ),
)
FITS = {fit.id: fit for fit in SPEC.fits}


# ---------------------------------------------------------------- structure

def zero_mean_problems(found, level: str) -> list[str]:
    """alpha may depend on tau and on one standard-normal site of its own shape, on nothing else."""
    others = sorted(source for source in found.sources("alpha") - found.made_of("tau")
                    if found.shapes.get(source) != (N_DISTRICTS,))
    if others:
        return [f"alpha depends on {others}: the district effects must have mean zero, with {level} outside "
                f"them. " + ZERO_MEAN]
    return []


@pytest.mark.points(2)
def test_random_intercept_structure(module):
    score, district, n = survey_data()
    found = structure.inspect_student_model(module, "random_intercept_model", score, district, n)
    problems = structure.site_problems(found, {"mu": (), "tau": (), "sigma": (), "alpha": (N_DISTRICTS,),
                                               "y": (len(score),)})
    if not problems:
        problems = (structure.observed_problems(found, ["y"])
                    + structure.plate_problems(found, ["alpha"], size=N_DISTRICTS)
                    + structure.outside_plate_problems(found, ["mu", "tau", "sigma"])
                    + structure.dependency_problems(found, "alpha", ["tau"])
                    + structure.dependency_problems(found, "y", ["mu", "alpha", "sigma"]))
        problems += zero_mean_problems(found, "mu") or prior_problems(found, SURVEY_PRIORS)
    structure.check(problems, "random_intercept_model",
                    hint="mu, tau, sigma outside any plate; alpha ~ Normal(0, tau) inside a plate over the groups; "
                         "y ~ Normal(mu + alpha[group], sigma) observed in a plate over the observations",
                    task="mu ~ Normal(0, 100), tau ~ HalfNormal(10), sigma ~ HalfNormal(20), alpha_k ~ Normal(0, tau) "
                         "for each group, y_i ~ Normal(mu + alpha[group_i], sigma)")


@pytest.mark.points(2)
def test_glmm_structure(module):
    found = structure.inspect_student_model(module, "poisson_glmm", *count_data())
    problems = structure.site_problems(found, {"beta0": (), "beta1": (), "tau": (), "alpha": (N_DISTRICTS,),
                                               "cases": (N_DISTRICTS,)})
    if not problems:
        likelihood = structure.distribution_problems(found, {"cases": "Poisson"})
        problems = ([f"{likelihood[0]}. {POISSON}"] if likelihood else []) + (
            structure.observed_problems(found, ["cases"])
            + structure.plate_problems(found, ["alpha", "cases"], size=N_DISTRICTS)
            + structure.outside_plate_problems(found, ["beta0", "beta1", "tau"])
            + structure.dependency_problems(found, "alpha", ["tau"])
            + structure.dependency_problems(found, "cases", ["beta0", "beta1", "alpha"]))
        problems += zero_mean_problems(found, "beta0") or prior_problems(found, GLMM_PRIORS)
    structure.check(problems, "poisson_glmm",
                    hint="beta0, beta1, tau outside the plate; in `with numpyro.plate('districts', 40):` "
                         "alpha ~ Normal(0, tau) and cases ~ Poisson(exp(log(population) + beta0 + beta1 * "
                         "covariate + alpha)), observed",
                    task="beta0 ~ Normal(-7, 2), beta1 ~ Normal(0, 1), tau ~ HalfNormal(1), alpha_k ~ Normal(0, tau), "
                         "cases_k ~ Poisson(population_k * exp(beta0 + beta1 * covariate_k + alpha_k))")


def expected_counts(module, cases, population, covariate, latent=None):
    """Mean of the observed site with the latent values held fixed; also returns those values."""
    model = feedback.function_of(feedback.unwrap(module), "poisson_glmm")
    if latent is None:
        latent = {name: site["value"] for name, site in
                  handlers.trace(handlers.seed(model, 2)).get_trace(cases, population, covariate).items()
                  if site["type"] == "sample" and not site["is_observed"]}
    trace = handlers.trace(handlers.substitute(handlers.seed(model, 2), data=latent)).get_trace(
        cases, population, covariate)
    observed = [site for site in trace.values() if site["type"] == "sample" and site["is_observed"]]
    return np.asarray(observed[0]["fn"].mean, dtype=float), latent


@pytest.mark.points(2)
def test_glmm_offset(module):
    structure.inspect_student_model(module, "poisson_glmm", *count_data())  # fails first if the model fails
    cases, population, covariate = count_data()
    small = population / 10_000.0  # 0.5 to 20 "people": keeps a wrongly used raw offset finite
    try:
        once, latent = expected_counts(module, cases, small, covariate)
        twice, _ = expected_counts(module, cases, 2 * small, covariate, latent)
    except Exception as error:  # noqa: BLE001 - the model ran in inspect_student_model, so report plainly
        pytest.fail(f"running poisson_glmm with other populations failed: {type(error).__name__}: {error}",
                    pytrace=False)
    ratio = twice / once
    problems = []
    if np.allclose(ratio, 1.0, rtol=1e-3):
        problems.append("the expected count does not change with the population: the offset is missing")
    elif np.allclose(ratio, np.exp(small), rtol=1e-3):
        problems.append("doubling the population multiplies the expected count by exp(population): "
                        "population itself was added to the log rate, not log(population)")
    elif not np.allclose(ratio, 2.0, rtol=1e-3):
        problems.append(f"doubling the population multiplies the expected count by {np.median(ratio):.3g} "
                        f"(median over districts); expected exactly 2")
    feedback.fail(problems, heading="the population offset of poisson_glmm is not right:", hint=OFFSET)


# ---------------------------------------------------------------- variance explained

@pytest.mark.points(1)
def test_variance_explained(module):
    rng = np.random.default_rng(8)
    covariate = rng.normal(0.0, 1.3, N_DISTRICTS)
    samples = {"beta0": rng.normal(-7.6, 0.1, 500), "beta1": rng.normal(0.4, 0.1, 500),
               "tau": np.abs(rng.normal(0.3, 0.1, 500)), "alpha": rng.normal(0, 0.3, (500, N_DISTRICTS))}
    explained = np.var(samples["beta1"][:, None] * covariate, axis=1)
    want = explained / (explained + samples["tau"] ** 2)
    got = np.asarray(feedback.call(module, "variance_explained", samples, covariate), dtype=float)
    problems = []
    if got.shape != want.shape:
        problems.append(f"returned shape {got.shape}; expected {want.shape}, one value per draw")
    elif np.allclose(got, 1 - want):
        problems.append("this is the random effect's share; return the covariate's share")
    elif np.allclose(got, explained / (explained + samples["tau"])):
        problems.append("tau is a standard deviation: its variance is tau ** 2")
    elif not np.allclose(got, want, rtol=1e-6):
        problems.append(f"first values {got[:3].round(4).tolist()}; expected {want[:3].round(4).tolist()}")
    feedback.fail(problems, heading="variance_explained is off:", hint=GLMM_HINTS["share"])


# ---------------------------------------------------------------- posterior

@pytest.mark.points(1)
@pytest.mark.parametrize("fit_id", ["survey", "glmm"])
def test_convergence(fits, fit_id):
    posterior.check_convergence(fits(fit_id), FITS[fit_id])


@pytest.mark.points(1)
@pytest.mark.parametrize("site", FITS["survey"].sites)
def test_random_intercept_posterior(fits, expected, site):
    posterior.check_site(fits("survey"), FITS["survey"], expected.records("survey", site), site)


@pytest.mark.points(2)
@pytest.mark.parametrize("site", FITS["glmm"].sites)
def test_glmm_posterior(fits, expected, site):
    posterior.check_site(fits("glmm"), FITS["glmm"], expected.records("glmm", site), site)


@pytest.mark.points(1)
def test_variance_share_posterior(fits, expected):
    posterior.check_site(fits("glmm"), FITS["glmm"], expected.records("glmm", "share"), "share")
