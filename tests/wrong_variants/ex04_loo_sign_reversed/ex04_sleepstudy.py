# caught-by: test_elpd_loo_difference
# mistake: complete minus partial pooling (the difference the wrong way round)
from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions import ex04_sleepstudy as reference


def elpd_loo_difference(complete_fit, partial_fit):
    difference, se = reference.elpd_loo_difference(complete_fit, partial_fit)
    return -difference, se
