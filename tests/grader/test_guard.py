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
