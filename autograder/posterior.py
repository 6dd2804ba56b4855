"""Posterior checks: fit a student's model once, compare summary statistics with expected ranges.

What is checked is declared in Python next to the checks (``ExerciseSpec`` / ``FitSpec`` in the
test module); the numbers live in ``tests/expected/<exercise>.toml``, written by
``python -m autograder.expected regenerate`` from long reference runs of the solutions.

Tolerances. A statistic T of the student's draws is accepted when |T - T_ref| <= tol with

    tol = z * sqrt(MCSE_ref**2 + MCSE_student**2) + bias_allowance * sd_ref,
    z   = Phi^{-1}(1 - p/2)   for a per-statistic false-failure probability p (1e-5 -> z = 4.42).

MCSE_ref is ArviZ's MCSE of the reference run (``az.mcse`` with method mean, sd or quantile).
MCSE_student is the MCSE a run would have with the smallest ESS the convergence check lets through,
``min_ess`` (a lower bound on the student's ESS). An MCSE falls as 1/sqrt(ESS), so

    MCSE_student = MCSE_ref * sqrt(ESS_ref / min_ess)

with ESS_ref ArviZ's ESS of the reference run for that statistic (``az.ess``, same method).

``bias_allowance`` is zero except for a model the course knows the sampler cannot fit without
bias (the centred aspirin model's funnel); the expected file states it next to the check.

PSIS-LOO differences between two fits (``LooSpec``) have no such formula: their range is the mean of
repeated grading-size runs of the solution plus z times an upper confidence bound on their spread.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

import numpy as np
from scipy.stats import chi2, norm

from autograder import feedback, stats
from autograder.stats import quantile_level
from autograder.sampling import Fit, SamplerSettings, grading_seed, run_nuts

DEFAULT_STATISTICS = ("mean", "sd", "q05", "q95")


@dataclass(frozen=True)
class FitSpec:
    """One model fit the checks grade, and what to compare on it.

    ``model`` is the function name in the exercise module; ``data()`` returns the model's
    positional arguments (built from course data, never from the student's module).
    ``reference_model`` names the solution function whose long run gives the expected values
    (default: ``model``), so a model that cannot be sampled well is compared with the true posterior.
    ``convergence_graded=False`` declares that no check grades this fit's convergence (a model
    known to sample badly); ``min_ess`` then only sets the tolerances.
    ``derived`` maps a name to a function of the draws dict (arrays shaped (chains, draws, *shape))
    returning an array shaped (chains, draws[, *shape]); each is compared like a site (statistics
    from ``statistics_for(name)``) but left out of the convergence check. A probability is the
    ``mean`` of an indicator.
    """

    id: str
    model: str
    data: Callable[[], tuple]
    sites: tuple[str, ...]
    statistics: tuple[str, ...] = DEFAULT_STATISTICS
    site_statistics: dict[str, tuple[str, ...]] = field(default_factory=dict)
    min_ess: int = 400
    max_r_hat: float = 1.01
    max_divergences: int = 0
    convergence_graded: bool = True
    false_failure_probability: float = 1e-5
    bias_allowance: float = 0.0
    reference_model: str | None = None
    derived: dict[str, Callable[[dict], np.ndarray]] = field(default_factory=dict)
    note: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    agrees_with: dict[str, str] = field(default_factory=dict)
    convergence_hint: str = ("divergences or a low ESS usually mean a funnel between a group-level "
                             "scale and the group effects; check your priors against the task and "
                             "use the parametrisation the task asks for")

    def statistics_for(self, site: str) -> tuple[str, ...]:
        """The statistics compared for ``site``: its own list if declared, else the fit's."""
        return self.site_statistics.get(site, self.statistics)

    @property
    def compared(self) -> tuple[str, ...]:
        """Every name whose statistics are compared: the sites, then the derived quantities."""
        return tuple(self.sites) + tuple(self.derived)

    def with_derived(self, draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """A copy of ``draws`` with every derived quantity added."""
        extended = dict(draws)
        for name, compute in self.derived.items():
            extended[name] = np.asarray(compute(extended), dtype=float)
        return extended


@dataclass(frozen=True)
class LooSpec:
    """A PSIS-LOO comparison of two graded fits: elpd_loo of ``better`` minus that of ``worse``.

    Its expected range comes from ``seeds`` runs of the solution under the grading sampler (other
    seeds than the grading one): their mean, and a tolerance of z times an upper 95% confidence
    bound on their spread. LOO has no closed form, and with high Pareto k its estimate depends on
    the number of draws, so the runs that set the range have exactly the size of a graded run.
    """

    id: str
    better: str
    worse: str
    seeds: int = 10
    false_failure_probability: float = 1e-5
    note: str = ""


@dataclass(frozen=True)
class ExerciseSpec:
    """Everything checked by posterior comparison in one exercise."""

    exercise: str
    sampler: SamplerSettings
    reference: SamplerSettings
    fits: tuple[FitSpec, ...]
    loo: tuple[LooSpec, ...] = ()

    def fit(self, fit_id: str) -> FitSpec:
        for spec in self.fits:
            if spec.id == fit_id:
                return spec
        raise KeyError(f"{self.exercise} declares no fit {fit_id!r}")


# ---------------------------------------------------------------- statistics and their MCSE

def z_for(false_failure_probability: float) -> float:
    """Two-sided normal quantile: |error| > z * MCSE happens with the given probability."""
    return float(norm.isf(false_failure_probability / 2))


def statistic_value(draws: np.ndarray, statistic: str) -> float:
    """``mean``, ``sd`` or a quantile ``qNN`` of all draws pooled."""
    flat = np.asarray(draws, dtype=float).ravel()
    if statistic == "mean":
        return float(flat.mean())
    if statistic == "sd":
        return float(flat.std())
    level = quantile_level(statistic)
    if level is None:
        raise ValueError(f"unknown statistic {statistic!r}")
    return float(np.quantile(flat, level))


def mcse(chains: np.ndarray, statistic: str, ess: float | None = None) -> float:
    """ArviZ's Monte Carlo standard error of ``statistic`` for draws shaped (chains, draws).

    With ``ess`` given, the MCSE a run of the same posterior with that ESS would have (the student's
    bound): ArviZ's MCSE scaled by sqrt(ESS_ref / ess), since an MCSE falls as 1/sqrt(ESS).
    """
    chains = np.asarray(chains, dtype=float)
    reference = stats.mcse(chains, statistic)
    if ess is None:
        return reference
    return float(reference * np.sqrt(stats.ess(chains, statistic) / ess))


def expected_range(chains: np.ndarray, statistic: str, min_ess: int, false_failure_probability: float,
                   bias_allowance: float = 0.0) -> dict:
    """The expected-file record of one statistic computed from long reference draws (chains, draws)."""
    reference = statistic_value(chains, statistic)
    reference_mcse = mcse(chains, statistic)
    student_mcse = mcse(chains, statistic, ess=min_ess)
    z = z_for(false_failure_probability)
    tolerance = z * np.hypot(reference_mcse, student_mcse) + bias_allowance * float(chains.std())
    return {
        "statistic": statistic,
        "reference": reference,
        "reference_mcse": reference_mcse,
        "student_mcse": student_mcse,
        "min_ess": min_ess,
        "false_failure_probability": false_failure_probability,
        "z": z,
        "bias_allowance": bias_allowance,
        "tolerance": float(tolerance),
        "lower": float(reference - tolerance),
        "upper": float(reference + tolerance),
    }


def elpd_difference(better_mcmc, worse_mcmc) -> tuple[float, float]:
    """ArviZ's PSIS-LOO elpd of one MCMC run minus another's, and the standard error of the difference.

    The standard error is ``az.compare``'s ``dse``: from the pointwise differences, so it accounts for
    the two models being scored on the same observations.
    """
    az = stats.arviz()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # high Pareto k: the range was set under the same k
        table = az.compare({"better": az.from_numpyro(better_mcmc), "worse": az.from_numpyro(worse_mcmc)})
    difference = table.loc["better", "elpd_loo"] - table.loc["worse", "elpd_loo"]
    return float(difference), float(table["dse"].max())


def loo_range(differences, false_failure_probability: float) -> dict:
    """The expected-file record of an elpd difference from repeated grading-size runs of the solution."""
    values = np.asarray(differences, dtype=float)
    runs = len(values)
    spread = float(values.std(ddof=1))
    spread_bound = spread * float(np.sqrt((runs - 1) / chi2.ppf(0.05, runs - 1)))
    z = z_for(false_failure_probability)
    tolerance = z * spread_bound * float(np.sqrt(1 + 1 / runs))
    mean = float(values.mean())
    return {"reference": mean, "runs": runs, "spread": spread, "spread_bound": spread_bound,
            "false_failure_probability": false_failure_probability, "z": z, "tolerance": tolerance,
            "lower": mean - tolerance, "upper": mean + tolerance, "values": values.tolist()}


def loo_problems(difference: float, record: dict) -> list[str]:
    """An elpd difference outside the expected range of ``record`` (a ``[[loo]]`` entry), as a sentence."""
    if record["lower"] <= difference <= record["upper"]:
        return []
    return [feedback.value_message(
        f"elpd_loo({record['better']}) - elpd_loo({record['worse']})", difference,
        f"{record['reference']:.1f} +- {record['tolerance']:.1f} (mean of {record['runs']} grading-size runs "
        f"of the reference solution)")]


# ---------------------------------------------------------------- grading a student's fit

def label(site: str, index) -> str:
    """``theta[5]`` or ``mu``."""
    return f"{site}[{','.join(map(str, index))}]" if len(index) else site


STATISTIC_NAMES = {"mean": "posterior mean", "sd": "posterior sd"}


def describe_statistic(statistic: str) -> str:
    level = quantile_level(statistic)
    return STATISTIC_NAMES.get(statistic) or f"posterior {100 * level:g}% quantile"


def fit_model(module: ModuleType, spec: FitSpec, sampler: SamplerSettings) -> Fit:
    """Fit ``module.<spec.model>`` on the spec's data under the grading sampler (seed overridable).

    Raises ``feedback.StudentCodeError`` with the feedback when the student's code fails.
    """
    model = feedback.function_of(module, spec.model)
    settings = sampler.with_seed(grading_seed(sampler.seed))
    try:
        fit = run_nuts(model, spec.data(), settings=settings)
    except Exception as error:  # noqa: BLE001 - a failing model is feedback, not a crash
        where = feedback.qualified_name(module, spec.model)
        raise feedback.StudentCodeError(feedback.explain_exception(where, error)) from error
    missing = [site for site in spec.sites if site not in fit.draws]
    if missing:
        raise feedback.StudentCodeError(
            f"{feedback.qualified_name(module, spec.model)} has no site(s) {', '.join(map(repr, missing))} "
            f"(found: {', '.join(sorted(fit.draws))}); name the sites as the task says "
            f"(use numpyro.deterministic for a derived quantity)")
    try:
        fit.draws = spec.with_derived(fit.draws)
    except Exception as error:  # noqa: BLE001 - e.g. a site with an unexpected shape
        raise feedback.StudentCodeError(
            f"cannot compute {', '.join(spec.derived)} from the draws of "
            f"{feedback.qualified_name(module, spec.model)} ({type(error).__name__}: {error}); "
            f"check the shapes of {', '.join(spec.sites)}") from error
    return fit


def fit_outcome(module, spec: FitSpec, sampler: SamplerSettings) -> feedback.Outcome:
    """``fit_model`` for a module-scoped fixture, from a module or the ``load_exercise`` outcome.

    Every check using the fit then fails with the same feedback when the module or the model fails.
    """
    loaded = module if isinstance(module, feedback.Outcome) else feedback.Outcome(module)
    return loaded.then(lambda loaded: fit_model(loaded, spec, sampler))


def convergence_problems(fit: Fit, spec: FitSpec) -> list[str]:
    """Every convergence requirement the fit misses, on the spec's checked sites."""
    problems = []
    if fit.divergences > spec.max_divergences:
        allowed = "none" if spec.max_divergences == 0 else f"at most {spec.max_divergences}"
        problems.append(f"{fit.divergences} divergent transitions after warm-up; expected {allowed}")
    for site in spec.sites:
        for index, chains in fit.components(site):
            name = label(site, index)
            r_hat, ess = stats.r_hat(chains), stats.ess_bulk(chains)
            if not r_hat <= spec.max_r_hat:
                problems.append(f"R-hat of {name} is {r_hat:.3f}; expected at most {spec.max_r_hat}")
            if not ess >= spec.min_ess:
                problems.append(f"bulk ESS of {name} is {ess:.0f}; expected at least {spec.min_ess}")
    return problems


def site_problems(fit: Fit, records: list[dict]) -> list[str]:
    """Each expected statistic of one site that falls outside its range, as a readable sentence."""
    problems = []
    for record in records:
        site, index = record["site"], tuple(record["index"])
        shape = fit.site_shape(site)
        if len(index) != len(shape) or any(i >= n for i, n in zip(index, shape)):
            return [f"site {site!r} has shape {shape}; the expected results need {label(site, index)}"]
        value = statistic_value(fit.component(site, index), record["statistic"])
        if not record["lower"] <= value <= record["upper"]:
            problems.append(
                f"{describe_statistic(record['statistic'])} of {label(site, index)} is {value:.3f}; "
                f"expected between {record['lower']:.3f} and {record['upper']:.3f} "
                f"(reference {record['reference']:.3f})")
    return problems


def check_convergence(outcome: feedback.Outcome, spec: FitSpec) -> None:
    """Fail unless the fit has R-hat, bulk ESS and divergences within the spec's limits."""
    fit = outcome.value
    feedback.fail(convergence_problems(fit, spec),
                  heading=f"the fit of {spec.model} has not converged well enough to be graded:",
                  hint=spec.convergence_hint)


def check_site(outcome: feedback.Outcome, spec: FitSpec, records: list[dict], site: str) -> None:
    """Fail listing every statistic of ``site`` outside its expected range, with the site's hint."""
    fit = outcome.value
    if not records:
        raise LookupError(f"the expected file has no records for {spec.id}/{site}: run "
                          f"`python -m autograder.expected regenerate`")
    feedback.fail(site_problems(fit, records),
                  heading=f"posterior of {site} in {spec.model} is off:",
                  hint=spec.hints.get(site, ""))
