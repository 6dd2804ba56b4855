# caught-by: test_elpd_loo_difference
# mistake: LOO on the deviance scale (-2 x elpd), so the difference has another size and sign
import arviz as az

from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def elpd_loo_difference(complete_fit, partial_fit):
    table = az.compare({"complete": az.from_numpyro(complete_fit), "partial": az.from_numpyro(partial_fit)},
                       scale="deviance")
    return float(table.loc["partial", "elpd_loo"] - table.loc["complete", "elpd_loo"]), float(table["dse"].max())
