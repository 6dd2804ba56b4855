"""The library snapshot sees replaced functions and methods, and nothing else, even after a real fit."""
import jax
import numpyro
import numpyro.distributions as dist
import pytest
from numpyro.infer import MCMC, NUTS

from autograder import guard


@pytest.fixture
def snapshot():
    guard.import_guarded_modules()
    return guard.LibrarySnapshot()


def test_ordinary_use_of_the_libraries_changes_nothing(snapshot):
    def model():
        numpyro.sample("mu", dist.Normal(0.0, 1.0))

    mcmc = MCMC(NUTS(model), num_warmup=20, num_samples=20, progress_bar=False)
    mcmc.run(jax.random.PRNGKey(0))
    assert pytest.approx(1.0) == 1.0
    assert snapshot.changes() == []


def test_a_replaced_module_attribute_is_reported(snapshot, monkeypatch):
    monkeypatch.setattr(jax.random, "normal", lambda *args, **kwargs: 0.0)
    assert "jax.random.normal was replaced" in snapshot.changes()


def test_a_replaced_method_is_reported_under_its_class(snapshot, monkeypatch):
    monkeypatch.setattr(MCMC, "run", lambda self, *args, **kwargs: None)
    assert "numpyro.infer.mcmc.MCMC.run was replaced" in snapshot.changes()


def test_a_deleted_attribute_is_reported(snapshot, monkeypatch):
    monkeypatch.delattr(numpyro, "deterministic")
    assert "numpyro.deterministic was deleted" in snapshot.changes()


def test_replacing_a_class_reports_the_class_once(snapshot, monkeypatch):
    monkeypatch.setattr(numpyro.infer, "MCMC", object)
    assert snapshot.changes() == ["numpyro.infer.MCMC was replaced"]


STUDENT_MODULE = '''
import os
get_objects = getattr(__import__("gc"), "get_" + "objects")


def run():
    for attempt in (get_objects, lambda: open("../outside.txt", "w"), lambda: os.system("true")):
        try:
            attempt()
        except PermissionError as error:
            print("BLOCKED", error)
    with open("inside.txt", "w") as handle:
        handle.write("allowed")
'''

DRIVER = '''
import importlib.util, json, os, sys
from autograder.guard import WriteGuard
sandbox = sys.argv[1]
os.chdir(sandbox)
guard = WriteGuard(sandbox, os.path.join(sandbox, "exercises"))
guard.install()
spec = importlib.util.spec_from_file_location("student", os.path.join(sandbox, "exercises", "student.py"))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
module.run()
import gc
gc.get_objects()  # the grader's own code may
print(json.dumps([vars(violation) for violation in guard.drain()]))
'''


def test_the_write_guard_blocks_and_blames_the_submission(tmp_path):
    """Run in a subprocess: an audit hook cannot be removed from the process that installs it."""
    import json
    import subprocess
    import sys

    (tmp_path / "sandbox" / "exercises").mkdir(parents=True)
    (tmp_path / "sandbox" / "exercises" / "student.py").write_text(STUDENT_MODULE)
    finished = subprocess.run([sys.executable, "-c", DRIVER, str(tmp_path / "sandbox")], capture_output=True,
                              text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr
    lines = finished.stdout.splitlines()
    assert sum(line.startswith("BLOCKED") for line in lines) == 3
    violations = json.loads(lines[-1])
    assert [violation["kind"] for violation in violations] == ["introspection", "write", "process"]
    assert all(violation["by_submission"] and "student.py" in violation["location"] for violation in violations)
    assert not (tmp_path / "outside.txt").exists()
    assert (tmp_path / "sandbox" / "inside.txt").read_text() == "allowed"
