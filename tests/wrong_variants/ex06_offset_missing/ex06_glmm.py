# caught-by: test_glmm_offset, test_glmm_posterior
# mistake: no population offset: the districts' sizes end up in beta0 and the random effects
import numpy as np

from solutions import ex06_glmm as reference
from solutions.ex06_glmm import *  # noqa: F401,F403 - every function not redefined below is the reference one


def poisson_glmm(cases, population, covariate):
    """The reference model with a population of 1 everywhere: its offset log(1) = 0 adds nothing."""
    reference.poisson_glmm(cases, np.ones_like(population), covariate)
