# caught-by: test_load_sleepstudy
# mistake: days returned as int64; the task states float64
import numpy as np

from solutions import ex04_sleepstudy as reference
from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def load_sleepstudy():
    data = reference.load_sleepstudy()
    return {**data, "days": data["days"].astype(np.int64)}
