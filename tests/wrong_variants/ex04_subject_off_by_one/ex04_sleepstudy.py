# caught-by: test_load_sleepstudy
# mistake: subject index counted from 1 instead of 0
from solutions import ex04_sleepstudy as reference
from solutions.ex04_sleepstudy import *  # noqa: F401,F403 - every function not redefined below is the reference one


def load_sleepstudy():
    data = reference.load_sleepstudy()
    return {**data, "subject": data["subject"] + 1}
