"""The benchmark's own logic: tables, ESS per second, ratios, the machine record, the plot, the PyMC ports.

No timing is asserted here: performance is measured by ``python -m bench.run``, not by tests.
"""
from __future__ import annotations

import importlib.util
import inspect
import math
import os

import numpy as np
import pytest

from bench import chapters, grading, machine, models, run
from bench.plot import plot, series
from bench.table import (Measurement, draws_for_floor, ess_per_second, format_value, markdown_report,
                         markdown_table, pivot, ratio, read_csv, write_csv)
from coursekit.paths import REPO_ROOT

HAS_PYMC = importlib.util.find_spec("pymc") is not None
SETTINGS = {"num_chains": 4, "num_warmup": 1000, "num_samples": 1000, "target_accept_prob": 0.95,
            "seed": 1, "chain_method": "sequential"}


def fit_record(framework="numpyro", status="ok", warm=2.0, ess=800.0, **extra) -> dict:
    return {"exercise": "ex03_aspirin", "fit": "non_centred", "model": "non_centred_model", "sites": ["mu"],
            "settings": SETTINGS, "framework": framework, "min_ess": 400, "status": status, "note": "",
            "first_seconds": 10.0, "warm_seconds": warm, "loop_seconds": None, "divergences": 0,
            "draws_file": "", "min_ess_bulk": ess, "max_r_hat": 1.002,
            "ess_per_second": ess_per_second(ess, warm), "ess_per_loop_second": float("nan"), **extra}


# ---------------------------------------------------------------- arithmetic

def test_ess_per_second_divides_and_refuses_missing_values():
    assert ess_per_second(800, 2.0) == 400
    for ess, seconds in [(800, 0), (800, None), (float("nan"), 2.0), (None, 2.0), (800, -1)]:
        assert math.isnan(ess_per_second(ess, seconds))


def test_ratio_is_nan_when_undefined():
    assert ratio(10, 4) == 2.5
    assert math.isnan(ratio(1, 0))
    assert math.isnan(ratio(float("nan"), 1))
    assert math.isnan(ratio(None, 1))


def test_draws_for_floor_scales_draws_with_the_ess_shortfall():
    # 1000 draws gave ESS 1200; 1.5 * 400 = 600 needs half as many draws.
    assert draws_for_floor(1200, 1000, floor=400) == 500
    assert draws_for_floor(300, 1000, floor=400) == 2000
    assert draws_for_floor(float("nan"), 1000) == 1000


def test_format_value_by_unit():
    assert format_value(12.345, "s") == "12.3"
    assert format_value(0.456, "s") == "0.46"
    assert format_value(2.0, "x") == "2.00"
    assert format_value(912.0) == "912"
    assert format_value(589.4321) == "589"
    assert format_value(2650.7) == "2651"
    assert format_value(81.34) == "81.3"
    assert format_value(float("nan"), "s") == "–"
    assert format_value("yes") == "yes"


# ---------------------------------------------------------------- tables

MEASUREMENTS = [
    Measurement("peer", "ex03/a", "warm fit", 1.5, "s", "NumPyro"),
    Measurement("peer", "ex03/a", "warm fit", 15.0, "s", "PyMC"),
    Measurement("peer", "ex03/b", "warm fit", 3.0, "s", "NumPyro"),
    Measurement("peer", "ex03/a", "ESS/s ratio NumPyro/PyMC", 7.5, "x"),
    Measurement("chapter", "04-aspirin", "cold cache", 40.0, "s"),
]


def test_pivot_makes_one_row_per_item_and_one_column_per_framework_metric():
    header, rows = pivot(MEASUREMENTS, "peer")
    assert header == ["peer", "NumPyro warm fit (s)", "PyMC warm fit (s)", "ESS/s ratio NumPyro/PyMC"]
    assert rows == [["ex03/a", "1.5", "15.0", "7.50"], ["ex03/b", "3.0", "", ""]]


def test_markdown_table_right_aligns_numeric_columns():
    table = markdown_table(["item", "seconds", "verdict"], [["a", "1.5", "yes"], ["b", "–", "NO"]])
    lines = table.splitlines()
    assert lines[0] == "| item | seconds | verdict |"
    assert lines[1] == "| :--- | ---: | :--- |"
    assert lines[3] == "| b | – | NO |"


def test_markdown_report_has_machine_and_only_measured_sections():
    report = markdown_report(MEASUREMENTS, {"cores": 2, "jax": "0.10.2"}, ["a note"])
    assert "- cores: 2" in report and "- jax: 0.10.2" in report
    assert "## Executing each chapter" in report and "## NumPyro against PyMC" in report
    assert "## Grading a full submission" not in report
    assert report.rstrip().endswith("- a note")


def test_csv_round_trip_keeps_numbers_and_text(tmp_path):
    rows = MEASUREMENTS + [Measurement("model", "ex03/a", "status", "failed: boom")]
    write_csv(rows, tmp_path / "out.csv")
    assert read_csv(tmp_path / "out.csv") == rows


# ---------------------------------------------------------------- model and peer sections

def test_convergence_on_independent_draws():
    rng = np.random.default_rng(0)
    draws = {"mu": rng.normal(size=(4, 1000)), "theta": rng.normal(size=(4, 1000, 3))}
    least_ess, worst_r_hat = models.convergence(draws)
    assert 3000 < least_ess < 5000
    assert worst_r_hat < 1.01
    stuck = {"mu": np.concatenate([rng.normal(0, 1, (2, 1000)), rng.normal(5, 1, (2, 1000))])}
    assert models.convergence(stuck)[1] > 1.5


def test_peer_ratios_compare_the_same_fit():
    numpyro = [fit_record(warm=2.0, ess=800.0)]
    pymc = [fit_record("pymc", warm=8.0, ess=1000.0, loop_seconds=7.0)]
    measured = models.peer_measurements(numpyro, pymc)
    rows = {(m.framework, m.metric): m.value for m in measured if m.item == "ex03_aspirin/non_centred"}
    assert rows[("", "wall ratio PyMC/NumPyro")] == 4.0
    assert rows[("", "ESS/s ratio NumPyro/PyMC")] == pytest.approx(400 / 125)
    assert rows[("PyMC", "sampling loop")] == 7.0
    assert measured[-2].item == "geometric mean, 1 fit" and measured[-2].value == 4.0


def test_geometric_mean_ignores_undefined_ratios():
    assert models.geometric_mean([2.0, 8.0, float("nan")]) == pytest.approx(4.0)
    assert math.isnan(models.geometric_mean([]))


def test_peer_row_says_why_it_was_skipped():
    numpyro = [fit_record()]
    skipped = models.peer_measurements(numpyro, [fit_record("pymc", status="no port", note="no port of x")])
    assert [(m.metric, m.value) for m in skipped] == [("status", "skipped: no port of x")]
    assert models.peer_measurements(numpyro, [])[0].value == "skipped: PyMC not run"
    failed = [fit_record(status="failed")]
    assert models.peer_measurements(failed, [fit_record("pymc")])[0].value == "skipped: NumPyro failed"


def test_model_rows_judge_the_fit_against_its_own_ess_floor():
    rows = {m.metric: m.value for m in models.model_measurements([fit_record(ess=350.0, min_ess=100)])}
    assert rows["ESS floor"] == 100 and rows["ESS ≥ floor"] == "yes"
    rows = {m.metric: m.value for m in models.model_measurements([fit_record(ess=350.0)])}
    assert rows["ESS ≥ floor"] == "NO"
    failed = models.model_measurements([fit_record(status="failed", note="ValueError: bad")])
    assert [m.metric for m in failed] == ["settings", "status"]
    assert failed[1].value == "failed: ValueError: bad"


def test_settings_label():
    assert models.settings_label(SETTINGS) == "4 × (1000 + 1000), 0.95, sequential"


# ---------------------------------------------------------------- grading and chapters helpers

def test_submission_holds_every_solution_as_an_exercise_module(tmp_path):
    folder = grading.make_submission(REPO_ROOT, tmp_path / "submission")
    expected = sorted(p.name for p in (REPO_ROOT / "solutions").glob("ex[0-9][0-9]_*.py"))
    assert expected and sorted(p.name for p in (folder / "exercises").iterdir()) == expected


def test_exercise_rows_read_the_grader_report():
    report = {"exercises": [{"name": "ex03_aspirin", "duration": 12.5, "points": 20, "max_points": 20}]}
    rows = grading.exercise_rows(report, "warm")
    assert rows[0] == Measurement("exercise", "ex03_aspirin", "warm", 12.5, "s")
    assert rows[1].value == "20/20"


def test_unpassed_checks_name_exercise_check_and_outcome():
    report = {"exercises": [{"name": "ex05_sleep_trial", "checks": [
        {"name": "test_fit", "outcome": "passed"}, {"name": "test_difference", "outcome": "failed"}]}]}
    assert grading.unpassed_checks(report) == ["ex05_sleep_trial::test_difference (failed)"]


def test_cache_env_sets_and_restores_the_jax_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("JAX_COMPILATION_CACHE_DIR", "/somewhere")
    with chapters.cache_env(tmp_path):
        assert os.environ["JAX_COMPILATION_CACHE_DIR"] == str(tmp_path)
    assert os.environ["JAX_COMPILATION_CACHE_DIR"] == "/somewhere"


def test_chapter_filter_matches_file_names(tmp_path):
    (tmp_path / "chapters").mkdir()
    for name in ("01-linear-models.qmd", "04-aspirin.qmd", "notes.md"):
        (tmp_path / "chapters" / name).write_text("")
    assert [p.name for p in chapters.chapter_files(tmp_path)] == ["01-linear-models.qmd", "04-aspirin.qmd"]
    assert [p.name for p in chapters.chapter_files(tmp_path, ["aspirin"])] == ["04-aspirin.qmd"]


def test_command_line_rejects_an_unknown_section():
    assert run.parse_args(["--only", "models"]).only == ["models"]
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "models,speed"])


def test_peer_column_is_skipped_with_a_reason_without_pymc():
    assert run.peer_decision(no_peer=False, pymc_installed=True) == (True, "")
    with_peer, note = run.peer_decision(no_peer=False, pymc_installed=False)
    assert not with_peer and "PyMC is not installed" in note and "bench/requirements.txt" in note
    assert run.peer_decision(no_peer=True, pymc_installed=True)[0] is False


# ---------------------------------------------------------------- machine record and plot

def test_machine_record_names_cores_versions_and_load():
    record = machine.machine_record(REPO_ROOT)
    assert record["cores"] >= 1
    assert record["numpyro"] not in ("", "absent") and record["jax"] not in ("", "absent")
    assert {"cpu", "python", "commit", "date", "load_average_1min", "pymc"} <= record.keys()


def test_cpu_model_is_read_from_cpuinfo(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Test CPU @ 2.0GHz\n")
    assert machine.cpu_model(cpuinfo) == "Test CPU @ 2.0GHz"


def test_busy_warning_only_when_load_exceeds_cores():
    assert machine.busy_warning({"cores": 2, "load_average_1min": 1.5, "load_average_1min_end": 1.9}) is None
    warning = machine.busy_warning({"cores": 2, "load_average_1min": 1.0, "load_average_1min_end": 6.5})
    assert "6.5" in warning and "benchmark's own" in warning and "other work shared" not in warning
    warning = machine.busy_warning({"cores": 2, "load_average_1min": 3.5, "load_average_1min_end": 1.0})
    assert "3.5" in warning and "other work shared the CPU" in warning


def test_plot_series_and_file(tmp_path):
    rows = MEASUREMENTS + [Measurement("peer", "ex03/a", "ESS_bulk/s", 500.0, "", "NumPyro"),
                           Measurement("peer", "ex03/a", "ESS_bulk/s", 80.0, "", "PyMC")]
    items, values = series(rows, "peer")
    assert items == ["ex03/a"] and values == {"NumPyro ESS_bulk/s": [500.0], "PyMC ESS_bulk/s": [80.0]}
    plot(rows, tmp_path / "bench.png")
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- the PyMC ports (only where PyMC is installed)

@pytest.fixture(scope="module")
def graded():
    from bench.fits import graded_fits
    return list(graded_fits())


@pytest.mark.skipif(not HAS_PYMC, reason="PyMC is optional (bench/requirements.txt)")
def test_every_graded_model_has_a_port_with_its_signature(graded):
    from autograder.targets import import_exercise
    from bench.models_pymc import PORTS

    for exercise, fit_spec, _ in graded:
        port = PORTS.get((exercise, fit_spec.model))
        assert port is not None, f"bench/models_pymc.py has no port of {exercise}.{fit_spec.model}"
        original = getattr(import_exercise(REPO_ROOT / "solutions", exercise), fit_spec.model)
        assert list(inspect.signature(port).parameters) == list(inspect.signature(original).parameters)


@pytest.mark.skipif(not HAS_PYMC, reason="PyMC is optional (bench/requirements.txt)")
def test_every_port_has_its_models_log_density(graded):
    from autograder.targets import import_exercise
    from bench import parity
    from bench.models_pymc import PORTS

    for exercise, fit_spec, _ in graded:
        port = PORTS.get((exercise, fit_spec.model))
        if port is None:
            continue  # reported by the test above
        original = getattr(import_exercise(REPO_ROOT / "solutions", exercise), fit_spec.model)
        assert parity.port_problems(original, port, tuple(fit_spec.data())) == [], f"{exercise}.{fit_spec.model}"


@pytest.mark.skipif(not HAS_PYMC, reason="PyMC is optional (bench/requirements.txt)")
def test_parity_notices_a_different_prior():
    import numpyro
    import numpyro.distributions as dist
    import pymc as pm

    from bench import parity

    def model(y):
        mu = numpyro.sample("mu", dist.Normal(0.0, 1.0))
        numpyro.sample("y", dist.Normal(mu, 1.0), obs=y)

    def port(y, scale=1.0):
        with pm.Model() as m:
            mu = pm.Normal("mu", 0.0, scale)
            pm.Normal("y", mu, 1.0, observed=y)
        return m

    y = np.array([0.5, -0.2, 1.1])
    assert parity.port_problems(model, port, (y,)) == []
    assert parity.port_problems(model, lambda y: port(y, scale=2.0), (y,))

