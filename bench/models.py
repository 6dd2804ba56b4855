"""ESS per second of every graded model, with NumPyro and (when installed) PyMC on the same settings.

Each framework's fits run in a worker process (``bench.fits``); the draws come back as files
and both are measured here with the same functions (ArviZ's, via ``autograder.stats``), so the only
difference between the columns is the sampler that made the draws.
"""
from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.table import Measurement, draws_for_floor, ess_per_second, ratio


def pymc_available() -> bool:
    return importlib.util.find_spec("pymc") is not None


def run_worker(framework: str, out_dir: Path, exercises: list[str] | None, cache_dir: Path,
               repo: Path, timeout: float) -> list[dict]:
    """Run ``python -m bench.fits`` with a fresh JAX cache; return its records (empty on a crash)."""
    env = {**os.environ, "JAX_COMPILATION_CACHE_DIR": str(cache_dir), "PYTHONWARNINGS": "ignore"}
    command = [sys.executable, "-m", "bench.fits", framework, str(out_dir), *(exercises or [])]
    try:
        done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"  {framework} worker timed out after {timeout:.0f} s", flush=True)
        return []
    print(done.stdout, end="", flush=True)
    result = out_dir / f"{framework}.json"
    if not result.is_file():
        print(f"  {framework} worker failed (exit {done.returncode}):\n{done.stderr[-3000:]}", flush=True)
        return []
    return json.loads(result.read_text())


def draw_components(draws: dict[str, np.ndarray]):
    """Every scalar component of every site, shaped (chains, draws)."""
    for values in draws.values():
        for index in np.ndindex(*values.shape[2:]):
            yield values[(slice(None), slice(None)) + index]


def convergence(draws: dict[str, np.ndarray]) -> tuple[float, float]:
    """(smallest bulk ESS, largest R-hat) over every component of the checked sites."""
    from autograder import stats

    components = list(draw_components(draws))
    if not components:
        return float("nan"), float("nan")
    return (min(stats.ess_bulk(c) for c in components),
            max(stats.r_hat(c) for c in components))


def load_draws(out_dir: Path, record: dict) -> dict[str, np.ndarray]:
    if not record.get("draws_file"):
        return {}
    with np.load(out_dir / record["draws_file"]) as stored:
        return {site: stored[site] for site in stored.files}


def fit_label(record: dict) -> str:
    return f"{record['exercise']}/{record['fit']}"


def settings_label(settings: dict) -> str:
    """``2 × (1000 + 1000), 0.8`` — chains × (warm-up + draws), target acceptance."""
    return (f"{settings['num_chains']} × ({settings['num_warmup']} + {settings['num_samples']}), "
            f"{settings['target_accept_prob']:g}, {settings['chain_method']}")


def summarise(record: dict, draws: dict[str, np.ndarray]) -> dict:
    """The record with its smallest ESS, largest R-hat and ESS per second of the warm fit."""
    least_ess, worst_r_hat = convergence(draws) if record["status"] == "ok" else (float("nan"),) * 2
    return {**record, "min_ess_bulk": least_ess, "max_r_hat": worst_r_hat,
            "ess_per_second": ess_per_second(least_ess, record["warm_seconds"]),
            "ess_per_loop_second": ess_per_second(least_ess, record["loop_seconds"])}


def model_measurements(numpyro: list[dict]) -> list[Measurement]:
    """Section ``model``: each graded fit with NumPyro under the grading settings."""
    rows = []
    for r in numpyro:
        item = fit_label(r)
        status = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['note']}"
        rows += [Measurement("model", item, "settings", settings_label(r["settings"])),
                 Measurement("model", item, "status", status)]
        if r["status"] != "ok":
            continue
        rows += [
            Measurement("model", item, "first fit", r["first_seconds"], "s"),
            Measurement("model", item, "warm fit", r["warm_seconds"], "s"),
            Measurement("model", item, "min ESS_bulk", round(r["min_ess_bulk"])),
            Measurement("model", item, "ESS_bulk/s", r["ess_per_second"]),
            Measurement("model", item, "max R-hat", f"{r['max_r_hat']:.3f}"),
            Measurement("model", item, "divergences", r["divergences"]),
            Measurement("model", item, "ESS floor", r["min_ess"]),
            Measurement("model", item, "ESS ≥ floor", "yes" if r["min_ess_bulk"] >= r["min_ess"] else "NO"),
            Measurement("model", item, "draws/chain for 1.5 × floor",
                        draws_for_floor(r["min_ess_bulk"], r["settings"]["num_samples"], r["min_ess"])),
        ]
    return rows


def skip_reason(numpyro: dict, pymc: dict | None) -> str:
    """Why a fit has no peer comparison, or "" when both frameworks fitted it."""
    if numpyro["status"] != "ok":
        return f"NumPyro {numpyro['status']}"
    if pymc is None:
        return "PyMC not run"
    if pymc["status"] != "ok":
        return pymc["note"] or pymc["status"]
    return ""


def geometric_mean(values: list[float]) -> float:
    finite = [v for v in values if v > 0 and math.isfinite(v)]
    return math.exp(sum(map(math.log, finite)) / len(finite)) if finite else float("nan")


WALL_RATIO = "wall ratio PyMC/NumPyro"
ESS_RATIO = "ESS/s ratio NumPyro/PyMC"


def peer_measurements(numpyro: list[dict], pymc: list[dict]) -> list[Measurement]:
    """Section ``peer``: the same fits side by side, with PyMC/NumPyro wall-time and NumPyro/PyMC ESS/s ratios,
    each fit and their geometric mean over the fits compared."""
    by_label = {fit_label(r): r for r in pymc}
    rows, wall_ratios, ess_ratios = [], [], []
    for a in numpyro:
        item, b = fit_label(a), by_label.get(fit_label(a))
        reason = skip_reason(a, b)
        if reason:
            rows.append(Measurement("peer", item, "status", f"skipped: {reason}"))
            continue
        wall_ratios.append(ratio(b["warm_seconds"], a["warm_seconds"]))
        ess_ratios.append(ratio(a["ess_per_second"], b["ess_per_second"]))
        rows += [
            Measurement("peer", item, "warm fit", a["warm_seconds"], "s", "NumPyro"),
            Measurement("peer", item, "warm fit", b["warm_seconds"], "s", "PyMC"),
            Measurement("peer", item, "sampling loop", b["loop_seconds"], "s", "PyMC"),
            Measurement("peer", item, "first fit", a["first_seconds"], "s", "NumPyro"),
            Measurement("peer", item, "first fit", b["first_seconds"], "s", "PyMC"),
            Measurement("peer", item, "min ESS_bulk", round(a["min_ess_bulk"]), "", "NumPyro"),
            Measurement("peer", item, "min ESS_bulk", round(b["min_ess_bulk"]), "", "PyMC"),
            Measurement("peer", item, "ESS_bulk/s", a["ess_per_second"], "", "NumPyro"),
            Measurement("peer", item, "ESS_bulk/s", b["ess_per_second"], "", "PyMC"),
            Measurement("peer", item, "divergences", a["divergences"], "", "NumPyro"),
            Measurement("peer", item, "divergences", b["divergences"], "", "PyMC"),
            Measurement("peer", item, WALL_RATIO, wall_ratios[-1], "x"),
            Measurement("peer", item, ESS_RATIO, ess_ratios[-1], "x"),
        ]
    if wall_ratios:
        item = f"geometric mean, {len(wall_ratios)} fit{'s' if len(wall_ratios) != 1 else ''}"
        rows += [Measurement("peer", item, WALL_RATIO, geometric_mean(wall_ratios), "x"),
                 Measurement("peer", item, ESS_RATIO, geometric_mean(ess_ratios), "x")]
    return rows


def measure(out_dir: Path, exercises: list[str] | None, cache_dir: Path, repo: Path,
            with_peer: bool, timeout: float = 900) -> tuple[list[Measurement], list[dict], list[dict]]:
    """Run the workers and return (measurements, NumPyro summaries, PyMC summaries)."""
    print("models: NumPyro fits", flush=True)
    numpyro = [summarise(r, load_draws(out_dir, r))
               for r in run_worker("numpyro", out_dir, exercises, cache_dir / "numpyro", repo, timeout)]
    measurements = model_measurements(numpyro)
    pymc = []
    if with_peer:
        print("models: PyMC fits", flush=True)
        pymc = [summarise(r, load_draws(out_dir, r))
                for r in run_worker("pymc", out_dir, exercises, cache_dir / "pymc", repo, timeout)]
        measurements += peer_measurements(numpyro, pymc)
    return measurements, numpyro, pymc
