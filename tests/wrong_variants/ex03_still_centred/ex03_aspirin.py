# caught-by: test_non_centred_structure
# mistake: non_centred_model is the centred model under a new name
from solutions.ex03_aspirin import *  # noqa: F401,F403 - every function not redefined below is the reference one
from solutions.ex03_aspirin import centred_model


def non_centred_model(y, sd):
    centred_model(y, sd)
