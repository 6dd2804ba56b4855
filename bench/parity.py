"""Check that a PyMC port is the same model as its NumPyro original: equal log densities at random points.

Both frameworks sample in the same unconstrained space (a log for positive parameters, the
identity otherwise), so NumPyro's potential energy at a point ``z`` must be minus PyMC's
log density (with the Jacobian) at the same ``z``, up to float32 rounding.
"""
from __future__ import annotations

import numpy as np


def numpyro_points(model, args: tuple, seeds=(0, 1, 2)) -> tuple[list[dict], list[float]]:
    """Random unconstrained points (NumPyro's uniform(-2, 2) initialisation) and the log density at each."""
    import jax
    from numpyro.infer.util import initialize_model

    points, log_densities = [], []
    for seed in seeds:
        info = initialize_model(jax.random.PRNGKey(seed), model, model_args=args)
        z = {name: np.asarray(value, dtype=float) for name, value in info.param_info.z.items()}
        points.append(z)
        log_densities.append(-float(info.potential_fn(info.param_info.z)))
    return points, log_densities


def pymc_log_densities(pm_model, points: list[dict]) -> list[float]:
    """PyMC's log density (Jacobian included) at NumPyro-named unconstrained points."""
    value_name = {rv.name: pm_model.rvs_to_values[rv].name for rv in pm_model.free_RVs}
    missing = sorted(set(points[0]) ^ set(value_name)) if points else []
    if missing:
        raise ValueError(f"the port and the model have different free variables: {missing}")
    log_density = pm_model.compile_logp(jacobian=True, mode="FAST_COMPILE")
    return [float(log_density({value_name[name]: value for name, value in point.items()}))
            for point in points]


def port_problems(model, port, args: tuple, rtol: float = 1e-4) -> list[str]:
    """Where the port's log density differs from the model's; empty when they agree at every point."""
    try:
        points, expected = numpyro_points(model, args)
        found = pymc_log_densities(port(*args), points)
    except ValueError as error:
        return [str(error)]
    return [f"log density at point {i}: NumPyro {a:.6g}, PyMC {b:.6g}"
            for i, (a, b) in enumerate(zip(expected, found))
            if not np.isclose(a, b, rtol=rtol, atol=rtol)]
