# caught-by: test_load_aspirin
# mistake: the sixth study's negative estimate typed as positive (the sign lost in a text extraction)
import numpy as np

from coursekit.data import load
from solutions.ex03_aspirin import *  # noqa: F401,F403 - every function not redefined below is the reference one


def load_aspirin() -> tuple[np.ndarray, np.ndarray]:
    frame = load("aspirin").sort_values("study")
    return abs(frame["y"].to_numpy(dtype=float)), frame["sd"].to_numpy(dtype=float)
