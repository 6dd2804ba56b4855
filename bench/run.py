"""Benchmark the course: grading a full submission cold and warm, each exercise, each chapter, and
ESS per second of every graded model, with PyMC on the same models and settings as a peer.

    python -m bench.run [--only grading,models,chapters,cluster] [--exercises ex03_aspirin ...]
                        [--chapters 04-aspirin ...] [--no-peer] [--no-warm-chapters] [--out bench/results]

Writes ``<out>/<name>.md`` (tables, machine, notes), ``<name>.csv`` (one measurement a row) and
``<name>.png``. Every JAX cache it uses is a fresh temporary folder, deleted at the end, so the
project's ``.jax_cache/`` is neither read nor changed. Timings taken while other work shares the
CPU overstate the cost; the report says so when the load average exceeded the cores.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ("grading", "models", "chapters", "cluster")

CACHE_NOTE = ("Cold: fresh, empty caches (the JAX compilation cache; for grading also the catalog cache of the "
              "checks' points table); warm: a second run with the folders the first one filled. The grader "
              "forks each exercise's run from a server that imported JAX, NumPyro, pandas and pytest once "
              "(autograder.prefork), and NUTS runs the 4 chains in parallel on 4 XLA host devices.")
MODEL_NOTES = [
    "First fit: the first fit of a model in a fresh worker process (compilation plus sampling). Warm fit: a "
    "second identical fit in that process (same settings and seed; compiled program reused, tracing "
    "included): its draws give the ESS and its wall time the ESS per second.",
    "ESS_bulk: the smallest rank-normalised bulk ESS over every component of the sites the checks compare, "
    "computed by ArviZ (az.ess, az.rhat) on both frameworks' draws alike.",
    "'ESS floor': the bulk ESS the checks' convergence test demands of this fit (min_ess, 400 unless the "
    "check says otherwise); 'draws/chain for 1.5 × floor': the draws per chain that would still leave 1.5 "
    "times that floor, if ESS grows in proportion to draws (it does for a chain that mixes).",
]
PEER_NOTES = [
    "PyMC runs the ports in bench/models_pymc.py (same priors, parametrisation and site names; their log "
    "densities are checked equal to NumPyro's at random points before any fit) with NUTS and the grading "
    "settings: same chains, warm-up, draws, target acceptance and seed number (the streams differ).",
    "Cores: NumPyro runs the 4 chains in parallel on 4 XLA host devices (threads of one process, as graded); "
    "PyMC samples them one after another in one process (cores=1), its faster configuration here: with one "
    "process per chain its warm fits took 1.0 to 3.4 times as long (geometric mean 1.8 over the 11 fits; "
    "bench/results/pymc-process-per-chain.md).",
    "Precision: NumPyro samples in float32 (JAX's default, as graded); PyMC in float64 (its default).",
    "PyMC's 'sampling loop' excludes its graph compilation (PyMC's own sampling_time); its 'first fit' may "
    "reuse C code that PyTensor cached on disk in an earlier run (~/.pytensor), so it is a lower bound.",
    "Ratios: 'wall ratio PyMC/NumPyro' above 1 means NumPyro's warm fit was faster; 'ESS/s ratio "
    "NumPyro/PyMC' above 1 means NumPyro gave more effective draws per second.",
]


def peer_decision(no_peer: bool, pymc_installed: bool) -> tuple[bool, str]:
    """Whether to run the PyMC column, and the note saying why not when it is skipped."""
    if no_peer:
        return False, "The PyMC peer column was skipped (--no-peer)."
    if not pymc_installed:
        return False, ("PyMC is not installed, so the PyMC peer column was skipped; install it with "
                       "`.venv/bin/pip install -r bench/requirements.txt` and run the benchmark again.")
    return True, ""


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})")
    parser.add_argument("--exercises", nargs="+", default=None, metavar="EXERCISE",
                        help="limit the model section to these exercises (grading always grades all)")
    parser.add_argument("--chapters", nargs="+", default=None, metavar="NAME",
                        help="execute only chapters whose file name contains one of these")
    parser.add_argument("--no-peer", action="store_true", help="skip the PyMC column even if PyMC is installed")
    parser.add_argument("--no-warm-chapters", action="store_true",
                        help="execute the chapters once (cold cache) instead of twice")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results", help="output folder")
    parser.add_argument("--name", default="latest", help="file name stem of the outputs (default: latest)")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    from bench import chapters, cluster, grading, machine, models
    from bench.plot import plot
    from bench.table import markdown_report, write_csv, Measurement

    record = machine.machine_record(REPO_ROOT)
    print(f"bench: {record['cores']} cores, load {record['load_average_1min']}, commit {record['commit']}", flush=True)
    notes = [CACHE_NOTE] if {"grading", "chapters", "cluster"} & set(args.only) else []
    measurements = []
    scratch = Path(tempfile.mkdtemp(prefix="course-bench-"))
    start = time.perf_counter()
    try:
        if "grading" in args.only:
            rows, grading_notes = grading.measure(REPO_ROOT, scratch / "grading")
            measurements += rows
            notes += grading_notes
        if "models" in args.only:
            with_peer, peer_note = peer_decision(args.no_peer, models.pymc_available())
            notes += [peer_note] if peer_note else []
            rows, _, _ = models.measure(scratch / "fits", args.exercises, scratch / "model-cache", REPO_ROOT,
                                        with_peer)
            measurements += rows
            notes += MODEL_NOTES
            if with_peer:
                notes += PEER_NOTES
        if "chapters" in args.only:
            measurements += chapters.measure(REPO_ROOT, scratch / "chapter-cache", args.chapters,
                                             warm=not args.no_warm_chapters)
        if "cluster" in args.only:
            rows, cluster_notes = cluster.measure(REPO_ROOT, scratch / "cluster")
            measurements += rows
            notes += cluster_notes
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    record["load_average_1min_end"] = machine.load_average()
    record["benchmark_seconds"] = round(time.perf_counter() - start)
    warning = machine.busy_warning(record)
    if warning:
        notes.insert(0, f"WARNING: {warning}.")
    measurements += [Measurement("machine", key, "value", value) for key, value in record.items()]

    args.out.mkdir(parents=True, exist_ok=True)
    report = markdown_report(measurements, record, notes)
    (args.out / f"{args.name}.md").write_text(report, encoding="utf-8")
    write_csv(measurements, args.out / f"{args.name}.csv")
    title = f"{record['cpu']}, {record['cores']} cores, commit {record['commit']}, {record['date']}"
    plot(measurements, args.out / f"{args.name}.png", title=title + (" (load above the cores: see notes)" if warning else ""))
    print(report)
    print(f"wrote {', '.join(str(args.out / (args.name + ext)) for ext in ('.md', '.csv', '.png'))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
