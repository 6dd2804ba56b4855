"""Fairness of the posterior checks: grade the reference solutions under many seeds, count false failures.

    python scripts/fairness.py [ex02_pooling ex03_aspirin ...] [--seeds 50] [--first-seed 1] [--json PATH]

For each exercise whose check module declares ``SPEC``, every fit is re-run on the SOLUTION with
``$COURSE_GRADING_SEED`` set to each seed (the same override the grader honours), and the same
functions the checks use (``posterior.convergence_problems`` / ``posterior.site_problems``) decide
pass or fail. A failure here is a false failure: the solution is correct by definition. The report
gives, per check, the false failures over the seeds and the worst |value - reference| / tolerance
seen (1.0 = at the edge of the range), plus the divergences and the smallest bulk ESS met.
PSIS-LOO comparisons (``SPEC.loo``) are recomputed from each seed's fits, and a check module's
``SEEDED_CHECKS`` (name -> function of the solution, the fits by id and the seed, returning problems)
run too: the checks of work that draws random numbers itself, such as posterior predictive replicates.
Deterministic checks (data, structure, exact closed forms) do not depend on the seed and are not rerun.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict

import jax
import numpy as np

from autograder import expected as expected_files
from autograder import posterior
from autograder.sampling import GRADING_SEED_ENV
from autograder.targets import import_exercise


def statistic_margins(fit, records) -> float:
    """Largest |value - reference| / tolerance over the records (above 1 means the check fails)."""
    worst = 0.0
    for record in records:
        value = posterior.statistic_value(fit.component(record["site"], tuple(record["index"])), record["statistic"])
        worst = max(worst, abs(value - record["reference"]) / record["tolerance"])
    return worst


def measure(exercise: str, seeds: list[int]) -> dict:
    """Grade the solution of ``exercise`` under every seed; tallies per check."""
    spec = expected_files.exercise_spec(exercise)
    expected = expected_files.load(exercise)
    solution = import_exercise(expected_files.SOLUTIONS_DIR, exercise)
    seeded_checks = getattr(expected_files.import_check_module(exercise), "SEEDED_CHECKS", {})
    failures, margins, messages = defaultdict(int), defaultdict(float), defaultdict(list)
    divergences, least_ess, worst_r_hat, seconds = defaultdict(list), defaultdict(list), defaultdict(list), 0.0
    for seed in seeds:
        os.environ[GRADING_SEED_ENV] = str(seed)
        fits = {}
        for fit_spec in spec.fits:
            fit = fits[fit_spec.id] = posterior.fit_model(solution, fit_spec, expected.sampler)
            jax.clear_caches()  # each fit loads a fresh executable; unreleased, they exhaust memory maps
            seconds += fit.seconds
            divergences[fit_spec.id].append(fit.divergences)
            least_ess[fit_spec.id].append(min(fit.ess_bulk(site, index) for site in fit_spec.sites
                                              for index, _ in fit.components(site)))
            worst_r_hat[fit_spec.id].append(max(fit.r_hat(site, index) for site in fit_spec.sites
                                                for index, _ in fit.components(site)))
            if fit_spec.convergence_graded:
                check = f"{fit_spec.id}: convergence"
                problems = posterior.convergence_problems(fit, fit_spec)
                failures[check] += bool(problems)
                if problems:
                    messages[check].append(f"seed {seed}: {problems[0]}")
            for site in fit_spec.compared:
                check = f"{fit_spec.id}: posterior of {site}"
                records = expected.records(fit_spec.id, site)
                problems = posterior.site_problems(fit, records)
                failures[check] += bool(problems)
                margins[check] = max(margins[check], statistic_margins(fit, records))
                if problems:
                    messages[check].append(f"seed {seed}: {problems[0]}")
        for loo_spec in spec.loo:
            check = f"loo: {loo_spec.better} - {loo_spec.worse}"
            record = expected.loo_record(loo_spec.id)
            difference, _ = posterior.elpd_difference(fits[loo_spec.better].mcmc, fits[loo_spec.worse].mcmc)
            problems = posterior.loo_problems(difference, record)
            failures[check] += bool(problems)
            margins[check] = max(margins[check], abs(difference - record["reference"]) / record["tolerance"])
            if problems:
                messages[check].append(f"seed {seed}: {problems[0]}")
        for name, problems_of in seeded_checks.items():
            problems = problems_of(solution, fits, seed)
            failures[name] += bool(problems)
            if problems:
                messages[name].append(f"seed {seed}: {problems[0]}")
    os.environ.pop(GRADING_SEED_ENV, None)
    return {
        "exercise": exercise, "seeds": len(seeds), "first_seed": seeds[0], "sampling_seconds": round(seconds, 1),
        "checks": {name: {"false_failures": count, "worst_margin": round(margins.get(name, float("nan")), 3),
                          "examples": messages[name][:3]} for name, count in failures.items()},
        "fits": {fit_id: {"divergences_max": int(max(counts)), "divergences_mean": float(np.mean(counts)),
                          "runs_with_divergences": int(sum(c > 0 for c in counts)),
                          "min_ess_bulk": round(float(min(least_ess[fit_id]))),
                          "max_r_hat": round(float(max(worst_r_hat[fit_id])), 4)}
                 for fit_id, counts in divergences.items()},
    }


def report(result: dict) -> str:
    lines = [f"{result['exercise']}: {result['seeds']} seeds from {result['first_seed']} "
             f"({result['sampling_seconds']:.0f} s of sampling)"]
    for name, row in result["checks"].items():
        margin = "" if np.isnan(row["worst_margin"]) else f"  worst |dev|/tol {row['worst_margin']:.2f}"
        lines.append(f"  {name:<38} false failures {row['false_failures']:>3}/{result['seeds']}{margin}")
        lines.extend(f"      {example}" for example in row["examples"])
    for fit_id, row in result["fits"].items():
        lines.append(f"  fit {fit_id}: divergences max {row['divergences_max']}, mean {row['divergences_mean']:.2f}, "
                     f"in {row['runs_with_divergences']} runs; smallest bulk ESS {row['min_ess_bulk']}, "
                     f"largest R-hat {row['max_r_hat']:.4f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("exercises", nargs="*", help="default: every exercise with a SPEC and an expected file")
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)

    from coursekit.devices import provide_host_devices
    from coursekit.jaxcache import enable_compilation_cache

    provide_host_devices()  # the grading sessions' devices, so parallel chains run as graded
    enable_compilation_cache()
    names = args.exercises or [name for name in expected_files.exercises_with_spec()
                               if expected_files.path_for(name).is_file()]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    results = []
    for name in names:
        start = time.perf_counter()
        results.append(measure(name, seeds))
        print(report(results[-1]) + f"\n  ({time.perf_counter() - start:.0f} s wall)", flush=True)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)
    total = sum(row["false_failures"] for result in results for row in result["checks"].values())
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
