"""The static scan flags monkey-patching and grader escapes, and leaves ordinary exercise code alone."""
import pytest

from autograder.scan import scan_source

ORDINARY = '''
import jax
import jax.numpy as jnp
import numpy as np
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS
from pathlib import Path


def model(y, n_groups):
    mu = numpyro.sample("mu", dist.Normal(0.0, 10.0))
    with numpyro.plate("groups", n_groups):
        theta = numpyro.sample("theta", dist.Normal(mu, 1.0))
    settings = {}
    settings["chains"] = 2
    numpyro.deterministic("spread", jnp.std(theta))
    Path("notes.txt").write_text("fine")


def fit(y):
    mcmc = MCMC(NUTS(model), num_warmup=10, num_samples=10)
    mcmc.run(jax.random.PRNGKey(0), y, 3)
    return np.asarray(mcmc.get_samples()["mu"])
'''


def messages(source: str) -> str:
    return "\n".join(str(finding) for finding in scan_source(source))


def test_ordinary_exercise_code_has_no_findings():
    assert scan_source(ORDINARY) == []


@pytest.mark.parametrize("source, expected", [
    ("import numpyro.infer\nnumpyro.infer.MCMC = object", "assigns to numpyro.infer.MCMC"),
    ("from numpyro.infer import MCMC\nMCMC.run = None", "assigns to numpyro.infer.MCMC.run"),
    ("import jax.numpy as jnp\njnp.mean = len", "assigns to jax.numpy.mean"),
    ("import jax\ndel jax.random.normal", "deletes jax.random.normal"),
    ("import pytest\nsetattr(pytest, 'approx', 1)", "calls setattr() on pytest"),
    ("import numpyro\nvars(numpyro)['sample'] = 1", "assigns to numpyro[...]"),
    ("import numpyro\nnumpyro.__dict__.update(sample=1)", "changes numpyro.__dict__"),
    ("from unittest import mock\nmock.patch('jax.random.normal')", "patches jax.random.normal"),
    ("import builtins\nbuiltins.print = None", "imports builtins"),
    ("__builtins__['open'] = None", "uses __builtins__"),
    ("import sys\nsys.modules['numpyro'] = None", "uses sys.modules"),
    ("import sys\nframe = sys._getframe(2)", "uses sys._getframe"),
    ("import gc\nobjects = gc.get_objects()", "uses gc.get_objects"),
    ("import os\nos._exit(0)", "uses os._exit"),
    ("from os import _exit", "imports os._exit"),
    ("import ctypes", "imports ctypes"),
    ("import subprocess", "imports subprocess"),
    ("import autograder.plugin", "imports autograder.plugin"),
    ("module = __import__('numpyro')", "calls __import__()"),
    ("eval('1 + 1')", "calls eval()"),
])
def test_tampering_and_escapes_are_flagged(source, expected):
    assert expected in messages(source)


def test_findings_carry_their_line_numbers():
    findings = scan_source("x = 1\nimport numpyro\nnumpyro.sample = None\n")
    assert [(finding.line, finding.kind) for finding in findings] == [(3, "tamper")]


def test_a_syntax_error_is_one_finding_of_its_own_kind():
    findings = scan_source("def answer(:\n    return 1\n")
    assert len(findings) == 1 and findings[0].kind == "syntax" and "SyntaxError" in findings[0].message


@pytest.mark.parametrize("source", ["x = " + "(" * 500 + ")" * 500, "x = 1" + " + 1" * 50_000, "a\x00b",
                                    "\ufeffdef f(): pass"])
def test_the_scan_never_raises_on_absurd_sources(source):
    findings = scan_source(source)
    assert all(finding.kind in ("syntax", "tamper") for finding in findings)
