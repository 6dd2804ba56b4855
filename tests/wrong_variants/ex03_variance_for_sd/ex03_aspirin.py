# caught-by: test_non_centred_posterior
# mistake: the likelihood uses sd**2 (a variance) where Normal expects the standard error
import numpyro
from numpyro.infer.reparam import LocScaleReparam

from solutions import ex03_aspirin as reference
from solutions.ex03_aspirin import *  # noqa: F401,F403 - every function not redefined below is the reference one


def centred_model(y, sd):
    """The reference model given the variances sd**2 where it takes the standard errors."""
    reference.centred_model(y, sd ** 2)


def non_centred_model(y, sd):
    """The reference code, redefined so that it wraps the wrong centred_model above."""
    reparam = numpyro.handlers.reparam(centred_model, config={"theta": LocScaleReparam(centered=0)})
    reparam(y, sd)
