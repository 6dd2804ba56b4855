"""The hidden first cell of every chapter: one seed, one plotting style, fast repeat fits."""
from __future__ import annotations

import os
import warnings

SEED = 20231
"""Base seed for every random draw the book makes; chapters derive keys from it."""

PALETTE = ["#1b6ca8", "#d1495b", "#66a182", "#edae49", "#8d6a9f", "#2e4057"]


def setup_chapter(host_devices: int = 4) -> None:
    """Configure NumPyro, JAX, matplotlib and table display identically for every chapter.

    Host devices must be set before JAX starts its backend, so this runs first.
    """
    from coursekit.devices import provide_host_devices

    provide_host_devices(host_devices)
    # ArviZ 0.23 announces its 1.x refactor on import; the book pins 0.23 (README, "ArviZ 1.x").
    warnings.filterwarnings("ignore", category=FutureWarning, module="arviz")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")

    from coursekit.jaxcache import enable_compilation_cache

    enable_compilation_cache()

    import matplotlib as mpl
    import matplotlib.pyplot as plt

    from coursekit.tables import show_tables_as_markdown

    show_tables_as_markdown()

    plt.style.use("seaborn-v0_8-whitegrid")
    mpl.rcParams.update({
        "figure.figsize": (7, 4),
        "figure.dpi": 110,
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.titlesize": "medium",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "savefig.bbox": "tight",
    })
