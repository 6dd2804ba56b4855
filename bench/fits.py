"""Fit every graded model twice with one framework, timing each fit; run as a worker subprocess.

    python -m bench.fits numpyro|pymc OUT_DIR [EXERCISE ...]

The models, their data, their checked sites and the sampler settings are exactly the checks':
each exercise's ``SPEC`` in ``tests/exercises/test_<exercise>.py`` and the ``[sampler]`` table of
``tests/expected/<exercise>.toml``. The first fit in the process pays for compilation; the
second (same settings, same seed) reuses the compiled program, and its draws are kept for ESS.
Each framework runs in its own process so neither's threads, caches or start-up cost the other.
Writes ``OUT_DIR/<framework>.json`` (timings, one record per fit) and one ``.npz`` of draws per fit.
"""
from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("numpyro", "pymc")


@dataclass
class FitRecord:
    """What one worker measured for one graded fit."""

    exercise: str
    fit: str
    model: str
    sites: list[str]
    settings: dict
    framework: str
    min_ess: int = 400  # the checks' floor on bulk ESS for this fit
    status: str = "ok"  # ok | no port | port differs | failed
    note: str = ""
    first_seconds: float | None = None
    warm_seconds: float | None = None
    loop_seconds: float | None = None  # warm-up + sampling loop only, where the framework reports it
    divergences: int | None = None
    draws_file: str = ""


def graded_fits(exercises: list[str] | None = None):
    """Yield (exercise, FitSpec, SamplerSettings) for every fit the checks grade."""
    from autograder import expected

    with_spec = expected.exercises_with_spec()
    for exercise in exercises or with_spec:
        if exercise not in with_spec:
            print(f"{exercise}: its checks declare no SPEC, so no model of it is graded by posterior", flush=True)
            continue
        spec = expected.exercise_spec(exercise)
        try:
            sampler = expected.load(exercise).sampler
        except expected.ExpectedFileError:
            sampler = spec.sampler
        for fit_spec in spec.fits:
            yield exercise, fit_spec, sampler


def with_derived(draws: dict, fit_spec) -> dict:
    """The draws plus the quantities the checks derive from them (``FitSpec.derived``, where declared)."""
    derived = getattr(fit_spec, "derived", None) or {}
    return {**draws, **{name: function(draws) for name, function in derived.items()}}


PYMC_CORES = 1
"""PyMC samples the chains one after another in one process, its faster configuration here: with one
process per chain (``cores=4``, as NumPyro runs 4 chains on 4 devices) its warm fits of these small models
took 1.0 to 3.4 times as long on 2 cores (geometric mean 1.8; bench/results/pymc-process-per-chain.md
against latest.md): process start-up costs more than two cores give back."""


def fit_numpyro(model, args, settings):
    """Time two fits; return (first seconds, warm seconds, None, divergences, draws by site)."""
    from autograder.sampling import run_nuts

    first = run_nuts(model, args, settings=settings)
    warm = run_nuts(model, args, settings=settings)
    return first.seconds, warm.seconds, None, warm.divergences, warm.draws


def fit_pymc(port, args, settings):
    """The same as ``fit_numpyro`` with PyMC's NUTS: same chains, warm-up, draws, target acceptance, seed."""
    import numpy as np
    import pymc as pm

    model = port(*args)

    def sample():
        start = time.perf_counter()
        idata = pm.sample(
            draws=settings.num_samples, tune=settings.num_warmup, chains=settings.num_chains,
            cores=PYMC_CORES, target_accept=settings.target_accept_prob, random_seed=settings.seed,
            progressbar=False, quiet=True, compute_convergence_checks=False, model=model,
        )
        return time.perf_counter() - start, idata

    first_seconds, _ = sample()
    warm_seconds, idata = sample()
    draws = {name: np.asarray(idata.posterior[name].values, dtype=float) for name in idata.posterior.data_vars}
    divergences = int(idata.sample_stats["diverging"].values.sum())
    return first_seconds, warm_seconds, float(idata.sample_stats.attrs["sampling_time"]), divergences, draws


def run(framework: str, out_dir: Path, exercises: list[str] | None = None) -> list[FitRecord]:
    """Fit every graded model with ``framework``; write draws and the JSON of records into ``out_dir``."""
    import numpy as np
    from autograder.targets import import_exercise

    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for exercise, fit_spec, settings in graded_fits(exercises):
        record = FitRecord(exercise, fit_spec.id, fit_spec.model, list(fit_spec.sites),
                           settings.to_dict(), framework, fit_spec.min_ess)
        records.append(record)
        try:
            solution = import_exercise(REPO_ROOT / "solutions", exercise)
            model, args = getattr(solution, fit_spec.model), tuple(fit_spec.data())
            if framework == "numpyro":
                result = fit_numpyro(model, args, settings)
            else:
                result = _fit_pymc_checked(record, exercise, fit_spec.model, model, args, settings)
                if result is None:
                    continue
        except Exception as error:  # noqa: BLE001 - one failing model must not hide the others' timings
            record.status, record.note = "failed", f"{type(error).__name__}: {error}"
            continue
        record.first_seconds, record.warm_seconds, record.loop_seconds, record.divergences, draws = result
        draws = with_derived(draws, fit_spec)
        record.draws_file = f"{framework}-{exercise}-{fit_spec.id}.npz"
        np.savez(out_dir / record.draws_file, **{site: draws[site] for site in fit_spec.sites if site in draws})
        missing = [site for site in fit_spec.sites if site not in draws]
        if missing:
            record.status, record.note = "failed", f"no draws for checked site(s) {missing}"
        print(f"{framework} {exercise}/{fit_spec.id}: first {record.first_seconds:.1f} s, "
              f"warm {record.warm_seconds:.1f} s", flush=True)
    (out_dir / f"{framework}.json").write_text(json.dumps([asdict(r) for r in records], indent=1))
    return records


def _fit_pymc_checked(record, exercise, function, model, args, settings):
    """Fit the PyMC port if there is one and it has the model's log density; else mark the record and return None."""
    from bench import models_pymc, parity

    port = models_pymc.PORTS.get((exercise, function))
    if port is None:
        record.status, record.note = "no port", f"bench/models_pymc.py has no port of {exercise}.{function}"
        return None
    problems = parity.port_problems(model, port, args)
    if problems:
        record.status, record.note = "port differs", "; ".join(problems)
        return None
    return fit_pymc(port, args, settings)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or argv[0] not in FRAMEWORKS:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    framework, out_dir, exercises = argv[0], Path(argv[1]), argv[2:]
    # JAX is configured as in a grading subprocess: CPU, a host device per graded chain, the cache.
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    from coursekit.devices import provide_host_devices
    from coursekit.jaxcache import enable_compilation_cache

    provide_host_devices()
    enable_compilation_cache()
    if framework == "pymc":
        import logging
        logging.getLogger("pymc").setLevel(logging.ERROR)
    records = run(framework, out_dir, exercises or None)
    return 0 if all(r.status in ("ok", "no port") for r in records) else 1


if __name__ == "__main__":
    sys.exit(main())
