"""Expected posterior ranges as data: read ``tests/expected/<exercise>.toml``; regenerate it from the solutions.

    python -m autograder.expected regenerate [ex02_pooling ex03_aspirin ...]

Regeneration imports the exercise's check module ``tests/exercises/test_<exercise>.py``, takes its
``SPEC`` (an ``autograder.posterior.ExerciseSpec``), runs a long reference fit of each solution
model, writes every statistic's reference value, MCSE and tolerance, and prints how far each value
moved from the previous file (in units of its tolerance). With no names, every exercise whose check
module defines ``SPEC`` is regenerated.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import importlib.util
import platform
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import tomli_w

from autograder import posterior
from autograder.sampling import Fit, SamplerSettings, run_nuts
from autograder.targets import REPO_ROOT, import_exercise

TESTS_DIR = REPO_ROOT / "tests"
EXPECTED_DIR = TESTS_DIR / "expected"
CHECKS_DIR = TESTS_DIR / "exercises"
SOLUTIONS_DIR = REPO_ROOT / "solutions"
REFERENCE_DIVERGENCE_RATE = 1e-4


class ExpectedFileError(LookupError):
    """An expected file is missing or does not cover what the checks ask for."""


@dataclass(frozen=True)
class Expected:
    """The parsed expected file of one exercise."""

    exercise: str
    sampler: SamplerSettings
    reference: dict
    fits: dict[str, dict]
    checks: list[dict]
    loo: dict[str, dict] = dataclasses.field(default_factory=dict)

    def records(self, fit_id: str, site: str) -> list[dict]:
        """Every statistic record of ``site`` in fit ``fit_id``."""
        found = [c for c in self.checks if c["fit"] == fit_id and c["site"] == site]
        if not found:
            raise ExpectedFileError(f"{path_for(self.exercise)} has no records for {fit_id}/{site}; run "
                                    f"`python -m autograder.expected regenerate {self.exercise}`")
        return found

    def loo_record(self, loo_id: str) -> dict:
        """The expected range of one PSIS-LOO elpd difference."""
        if loo_id not in self.loo:
            raise ExpectedFileError(f"{path_for(self.exercise)} has no [[loo]] record {loo_id!r}; run "
                                    f"`python -m autograder.expected regenerate {self.exercise}`")
        return self.loo[loo_id]


def path_for(exercise: str, directory: Path = EXPECTED_DIR) -> Path:
    return Path(directory) / f"{exercise}.toml"


def load(exercise: str, directory: Path = EXPECTED_DIR) -> Expected:
    """Read ``<directory>/<exercise>.toml``."""
    path = path_for(exercise, directory)
    if not path.is_file():
        raise ExpectedFileError(f"{path} is missing: run `python -m autograder.expected regenerate {exercise}`")
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    return Expected(
        exercise=exercise,
        sampler=SamplerSettings.from_dict(table["sampler"]),
        reference=table.get("reference", {}),
        fits={fit["id"]: fit for fit in table.get("fit", [])},
        checks=table.get("check", []),
        loo={record["id"]: record for record in table.get("loo", [])},
    )


# ---------------------------------------------------------------- regeneration

HEADER = """\
# Expected posterior ranges for {exercise}: GENERATED, do not edit by hand.
# Regenerate with `python -m autograder.expected regenerate {exercise}` (it prints what moved).
#
# [sampler]   the fixed settings every student's model is graded with (seed: $COURSE_GRADING_SEED overrides).
# [reference] how the reference values were made: a long run of the solution module.
# [[fit]]     each graded fit: the model function, its convergence requirements (R-hat, bulk ESS >= min_ess
#             on every checked site, divergences <= max_divergences) and where its reference comes from.
# [[check]]   one statistic of one site component. A student's value passes when it lies in [lower, upper]:
#               tolerance = z * sqrt(reference_mcse^2 + student_mcse^2) + bias_allowance * posterior sd
#               z = Phi^-1(1 - false_failure_probability / 2)
#             reference_mcse: ArviZ's MCSE of the long reference run (az.mcse, method mean / sd / quantile).
#             student_mcse: the MCSE of a run with ESS = min_ess, the least the convergence check accepts:
#               reference_mcse * sqrt(ESS_ref / min_ess), ESS_ref = az.ess of the reference run, same method.
#             bias_allowance (posterior sd units) is non-zero only where a fit is known to be biased and says why.
# [[loo]]     a PSIS-LOO elpd difference (az.compare) between two graded fits, better minus worse. No long run
#             fixes its Monte Carlo error, so `runs` grading-size runs of the solution (seeds 10000, 10001, ...)
#             do: reference = their mean, tolerance = z * spread_bound * sqrt(1 + 1/runs), spread_bound the
#             upper 95% confidence bound on their sd (chi-square); `long_run` is the same difference from the
#             reference runs above, for comparison.
"""


def import_check_module(exercise: str, checks_dir: Path = CHECKS_DIR) -> ModuleType:
    """The check module ``test_<exercise>.py``, imported by path (it must not fit anything at import)."""
    path = Path(checks_dir) / f"test_{exercise}.py"
    spec = importlib.util.spec_from_file_location(f"_course_checks_{exercise}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exercise_spec(exercise: str, checks_dir: Path = CHECKS_DIR) -> posterior.ExerciseSpec:
    module = import_check_module(exercise, checks_dir)
    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, posterior.ExerciseSpec):
        raise ExpectedFileError(f"test_{exercise}.py defines no SPEC (autograder.posterior.ExerciseSpec)")
    return spec


def exercises_with_spec(checks_dir: Path = CHECKS_DIR) -> list[str]:
    """Exercises whose check module declares ``SPEC =`` (found by reading, not importing)."""
    names = []
    for path in sorted(Path(checks_dir).glob("test_ex*.py")):
        if "\nSPEC = " in path.read_text(encoding="utf-8"):
            names.append(path.stem.removeprefix("test_"))
    return names


def reference_fit(solution: ModuleType, model: str, fit_spec: posterior.FitSpec,
                  settings: SamplerSettings) -> tuple[Fit, dict]:
    """A long run of ``solution.<model>``; refuse to use it unless it converged.

    Converged: R-hat <= 1.01 and at most one divergence per ``1 / REFERENCE_DIVERGENCE_RATE`` draws
    (an isolated divergence in 100 000 draws moves no statistic measurably; a funnel gives thousands).
    """
    fit = run_nuts(getattr(solution, model), fit_spec.data(), settings=settings)
    worst_r_hat = max(fit.r_hat(site, index) for site in fit_spec.sites for index, _ in fit.components(site))
    least_ess = min(fit.ess_bulk(site, index) for site in fit_spec.sites for index, _ in fit.components(site))
    draws = settings.num_chains * settings.num_samples
    if fit.divergences > REFERENCE_DIVERGENCE_RATE * draws or worst_r_hat > 1.01:
        raise RuntimeError(f"reference run of {model} did not converge: {fit.divergences} divergences, "
                           f"max R-hat {worst_r_hat:.4f}; fix the solution or the reference settings")
    summary = {"model": model, "seconds": round(fit.seconds, 1), "divergences": fit.divergences,
               "max_r_hat": round(worst_r_hat, 4), "min_ess_bulk": round(least_ess)}
    return fit, summary


def build(spec: posterior.ExerciseSpec, solutions_dir: Path = SOLUTIONS_DIR) -> dict:
    """The whole expected-file table for ``spec`` from long reference runs of the solutions."""
    import jax
    import numpyro

    solution = import_exercise(solutions_dir, spec.exercise)
    runs: dict[str, tuple[Fit, dict]] = {}
    fits, checks = [], []
    for fit_spec in spec.fits:
        model = fit_spec.reference_model or fit_spec.model
        if model not in runs:
            print(f"  reference run of {spec.exercise}.{model} ...", flush=True)
            runs[model] = reference_fit(solution, model, fit_spec, spec.reference)
        run, _ = runs[model]
        draws = fit_spec.with_derived(run.draws)
        fits.append({
            "id": fit_spec.id, "model": fit_spec.model, "reference_model": model,
            "sites": list(fit_spec.sites), "derived": list(fit_spec.derived),
            "min_ess": fit_spec.min_ess, "max_r_hat": fit_spec.max_r_hat, "max_divergences": fit_spec.max_divergences, "convergence_graded": fit_spec.convergence_graded,
        } | ({"note": fit_spec.note} if fit_spec.note else {}))
        for site in fit_spec.compared:
            values = draws[site]
            for index in np.ndindex(*values.shape[2:]):
                chains = values[(slice(None), slice(None)) + index]
                name = posterior.label(site, index)
                for statistic in fit_spec.statistics_for(site):
                    record = {"id": f"{fit_spec.id}/{name}/{statistic}", "fit": fit_spec.id,
                              "site": site, "index": list(index)}
                    record.update(posterior.expected_range(
                        chains, statistic, fit_spec.min_ess, fit_spec.false_failure_probability,
                        fit_spec.bias_allowance))
                    agrees = fit_spec.agrees_with.get(f"{name}/{statistic}")
                    if agrees:
                        record["agrees_with"] = agrees
                    checks.append(record)
    loo = [loo_record(solution, spec, loo_spec, runs) for loo_spec in spec.loo]
    reference = spec.reference.to_dict() | {
        "solution": f"solutions/{spec.exercise}.py",
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "jax": jax.__version__,
        "numpyro": numpyro.__version__,
        "runs": [summary for _, summary in runs.values()],
    }
    table = {"sampler": spec.sampler.to_dict(), "reference": reference, "fit": fits, "check": checks}
    return table | ({"loo": loo} if loo else {})


LOO_FIRST_SEED = 10_000
"""Seeds of the runs that set a LOO range: apart from the grading seed and the fairness script's 1..N."""


def loo_record(solution: ModuleType, spec: posterior.ExerciseSpec, loo_spec: posterior.LooSpec,
               runs: dict[str, tuple[Fit, dict]]) -> dict:
    """The expected range of one elpd difference, from grading-size runs of the solution."""
    better, worse = spec.fit(loo_spec.better), spec.fit(loo_spec.worse)
    differences = []
    for offset in range(loo_spec.seeds):
        print(f"  LOO {loo_spec.id}: grading-size run {offset + 1} of {loo_spec.seeds} ...", flush=True)
        settings = spec.sampler.with_seed(LOO_FIRST_SEED + offset)
        fits = [run_nuts(getattr(solution, fit_spec.model), fit_spec.data(), settings=settings)
                for fit_spec in (better, worse)]
        differences.append(posterior.elpd_difference(fits[0].mcmc, fits[1].mcmc)[0])
    long_better, long_worse = (runs[fit_spec.reference_model or fit_spec.model][0] for fit_spec in (better, worse))
    long_run, long_run_se = posterior.elpd_difference(long_better.mcmc, long_worse.mcmc)
    record = {"id": loo_spec.id, "better": loo_spec.better, "worse": loo_spec.worse, "first_seed": LOO_FIRST_SEED}
    record |= posterior.loo_range(differences, loo_spec.false_failure_probability)
    return record | {"long_run": long_run, "long_run_se": long_run_se} | (
        {"note": loo_spec.note} if loo_spec.note else {})


def _rounded(value):
    """Floats to 6 significant digits so the files diff readably."""
    if isinstance(value, float):
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def changes(old: dict | None, new: dict) -> list[str]:
    """What moved between two expected tables, one line per change worth reading."""
    if old is None:
        return [f"new file with {len(new['check'])} checks"]
    lines = []
    if old.get("sampler") != new["sampler"]:
        lines.append(f"sampler settings changed: {old.get('sampler')} -> {new['sampler']}")
    before = {c["id"]: c for c in old.get("check", [])}
    after = {c["id"]: c for c in new["check"]}
    for key in sorted(before.keys() - after.keys()):
        lines.append(f"removed {key}")
    for key in sorted(after.keys() - before.keys()):
        lines.append(f"added   {key}: {after[key]['reference']:.4g} +- {after[key]['tolerance']:.3g}")
    moved = []
    for key in sorted(after.keys() & before.keys()):
        a, b = before[key], after[key]
        shift = (b["reference"] - a["reference"]) / b["tolerance"]
        widened = b["tolerance"] / a["tolerance"] - 1
        if abs(shift) > 0.1 or abs(widened) > 0.1:
            moved.append(f"moved   {key}: {a['reference']:.4g} -> {b['reference']:.4g} "
                         f"({shift:+.2f} tolerances), tolerance {a['tolerance']:.3g} -> {b['tolerance']:.3g}")
    old_loo = {r["id"]: r for r in old.get("loo", [])}
    for record in new.get("loo", []):
        previous = old_loo.get(record["id"])
        if previous is None:
            lines.append(f"added   loo {record['id']}: {record['reference']:.4g} +- {record['tolerance']:.3g}")
        else:
            moved.append(f"loo     {record['id']}: {previous['reference']:.4g} -> {record['reference']:.4g}, "
                         f"tolerance {previous['tolerance']:.3g} -> {record['tolerance']:.3g}")
    return lines + (moved or ["no statistic moved by more than 0.1 tolerance"])


def regenerate(exercise: str, directory: Path = EXPECTED_DIR) -> list[str]:
    """Rewrite the expected file of ``exercise``; return the list of changes."""
    path = path_for(exercise, directory)
    old = tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    table = _rounded(build(exercise_spec(exercise)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER.format(exercise=exercise) + "\n" + tomli_w.dumps(table), encoding="utf-8")
    return changes(old, table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.expected", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    regen = sub.add_parser("regenerate", help="rewrite tests/expected/<exercise>.toml from long reference runs")
    regen.add_argument("exercises", nargs="*", help="exercise names (default: every exercise with a SPEC)")
    args = parser.parse_args(argv)

    from coursekit.jaxcache import enable_compilation_cache
    enable_compilation_cache()
    for exercise in args.exercises or exercises_with_spec():
        start = time.perf_counter()
        print(f"{exercise}:", flush=True)
        for line in regenerate(exercise):
            print(f"  {line}")
        print(f"  wrote {path_for(exercise).relative_to(REPO_ROOT)} in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
