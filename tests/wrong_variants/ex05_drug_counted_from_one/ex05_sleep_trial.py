# caught-by: test_load_sleep
# mistake: drug and patient indices kept as in the file (1-based)
from solutions import ex05_sleep_trial as reference
from solutions.ex05_sleep_trial import *  # noqa: F401,F403 - every function not redefined below is the reference one


def load_sleep():
    data = reference.load_sleep()
    return {**data, "drug": data["drug"] + 1, "patient": data["patient"] + 1}
