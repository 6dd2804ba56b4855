"""Model-structure checks on what a model means, not how it is spelt.

Built on ``numpyro.infer.inspect.get_model_relations`` plus one seeded trace. A site "depends on" the
latent sites its value is computed from, whatever the path: dependencies are followed through
deterministic sites, so recording a mean as ``numpyro.deterministic`` or non-centring a site
(``LocScaleReparam`` or an explicit ``*_raw`` site) changes nothing. Plates are judged by what they
mean: the shape of a site and the axes along which its values are conditionally independent, so a
plate, ``.expand([k]).to_event(1)`` and a plate over the site's own index all pass alike.
Each ``*_problems`` function returns readable sentences; ``check`` fails with them.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import jax
import numpy as np
from numpyro import handlers
from numpyro.distributions import Independent
from numpyro.infer import Predictive
from numpyro.infer.inspect import get_model_relations

from autograder import feedback


@dataclass(frozen=True)
class ModelStructure:
    """The graph of one model on given data."""

    parents: dict[str, list[str]]        # site -> sites it depends on directly (deterministic ones included)
    distributions: dict[str, str]        # site -> distribution name ("Deterministic" for derived sites)
    plates: dict[str, list[str]]         # plate name -> sites inside it
    plate_sizes: dict[str, int]
    observed: list[str]
    shapes: dict[str, tuple[int, ...]]   # site -> value shape
    values: dict[str, np.ndarray] = field(default_factory=dict)       # site -> value in the seeded trace
    functions: dict[str, object] = field(default_factory=dict)        # sample site -> its distribution
    simulate: Callable[[int], dict] | None = None  # n -> n prior draws of every site, shaped (n, *shape)

    def plates_of(self, site: str) -> list[str]:
        return [plate for plate, sites in self.plates.items() if site in sites]

    def is_latent(self, site: str) -> bool:
        """A sampled, unobserved site (not a deterministic one)."""
        return site in self.functions and site not in self.observed

    def sources(self, site: str) -> set[str]:
        """The latent sites ``site`` is computed from, followed through deterministic sites."""
        found = set()
        for parent in self.parents.get(site, []):
            found |= {parent} if self.is_latent(parent) else self.sources(parent)
        return found

    def ancestors(self, site: str) -> set[str]:
        """Every site upstream of ``site`` through deterministic sites (for messages)."""
        found = set()
        for parent in self.parents.get(site, []):
            found |= {parent} | (set() if self.is_latent(parent) else self.ancestors(parent))
        return found

    def made_of(self, site: str) -> set[str]:
        """The latent sites that make up ``site``: itself if latent, else what it is computed from."""
        return {site} if self.is_latent(site) else self.sources(site)

    def independent_sizes(self, site: str) -> set[int]:
        """Sizes of the axes along which the values of ``site`` are conditionally independent.

        A sample site: every batch axis of its distribution and every event axis that ``to_event``
        made from a univariate one. A deterministic site: those of the latent sites of its own shape
        that it is computed from (the noise of a non-centred site).
        """
        if site in self.functions:
            return set(_independent_shape(self.functions[site]))
        return set().union(*(self.independent_sizes(source) for source in self.sources(site)
                             if self.shapes.get(source) == self.shapes.get(site)))


def _independent_shape(fn) -> tuple[int, ...]:
    inner = fn
    while isinstance(inner, Independent):
        inner = inner.base_dist
    event = tuple(fn.event_shape)
    return tuple(fn.batch_shape) + event[:len(event) - len(inner.event_shape)]


def inspect_model(model, *args, **kwargs) -> ModelStructure:
    """Relations and shapes of ``model(*args, **kwargs)``; exceptions from the model propagate."""
    relations = get_model_relations(model, model_args=args, model_kwargs=kwargs)
    trace = handlers.trace(handlers.seed(model, 0)).get_trace(*args, **kwargs)
    sites = {name: site for name, site in trace.items() if site["type"] in ("sample", "deterministic")}
    sizes = {name: int(site["args"][0]) for name, site in trace.items() if site["type"] == "plate"}

    @functools.cache
    def simulate(n: int) -> dict:
        draws = Predictive(model, num_samples=n, parallel=True)(jax.random.PRNGKey(1), *args, **kwargs)
        return {name: np.asarray(value) for name, value in draws.items()}

    return ModelStructure(
        parents=relations["sample_sample"],
        distributions=relations["sample_dist"],
        plates={name.removesuffix("__CLONE"): sites for name, sites in relations["plate_sample"].items()},
        plate_sizes=sizes,
        observed=list(relations["observed"]),
        shapes={name: tuple(np.shape(site["value"])) for name, site in sites.items()},
        values={name: np.asarray(site["value"]) for name, site in sites.items()},
        functions={name: site["fn"] for name, site in sites.items() if site["type"] == "sample"},
        simulate=simulate,
    )


def inspect_student_model(module, function: str, *args, hint: str = "", **kwargs) -> ModelStructure:
    """``inspect_model`` on the student's ``module.function`` (module or ``load_exercise`` outcome).

    Inside a check: when the student's code fails, the check fails with the feedback.
    """
    def compute():
        loaded = feedback.unwrap(module)
        model = feedback.function_of(loaded, function)
        try:
            return inspect_model(model, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 - a failing model is feedback, not a crash
            where = feedback.qualified_name(loaded, function)
            raise feedback.StudentCodeError(feedback.explain_exception(where, error, hint)) from error
    return feedback.capture(compute).value


def site_problems(structure: ModelStructure, expected: dict[str, tuple[int, ...]]) -> list[str]:
    """Sites missing or with a shape other than ``expected`` (name -> shape)."""
    problems = []
    for site, shape in expected.items():
        if site not in structure.shapes:
            problems.append(f"no site named {site!r} (the model has: {', '.join(structure.shapes)})")
        elif structure.shapes[site] != tuple(shape):
            problems.append(f"site {site!r} has shape {structure.shapes[site]}; the task asks for {tuple(shape)}")
    return problems


def _listed(sites) -> str:
    return ", ".join(sorted(sites)) or "nothing"


def dependency_problems(structure: ModelStructure, site: str, parents, exactly: bool = False) -> list[str]:
    """``site`` must be computed from every site in ``parents`` (and from nothing else if ``exactly``).

    Paths through deterministic sites count. With ``exactly``, a latent site of the same shape as an
    unobserved ``site`` with no parents of its own is allowed besides: the noise of a non-centred site.
    """
    if site not in structure.shapes:
        return [f"no site named {site!r}"]
    upstream = structure.sources(site)
    shown = _listed(structure.ancestors(site))
    problems = [f"{site!r} is computed from {shown}, not from {parent!r}"
                for parent in parents if not structure.made_of(parent) <= upstream or parent not in structure.shapes]
    allowed = set().union(*(structure.made_of(parent) for parent in parents))
    extra = {source for source in upstream - allowed if site in structure.observed
             or structure.shapes.get(source) != structure.shapes[site] or structure.parents.get(source)}
    if exactly and extra:
        problems.append(f"{site!r} is also computed from {_listed(extra)}; the task builds it from "
                        f"{_listed(parents)} only")
    return problems


def plate_problems(structure: ModelStructure, sites, size: int) -> list[str]:
    """Every site in ``sites`` must hold ``size`` conditionally independent values along one axis.

    A plate of that size, ``.expand([size]).to_event(1)`` and a non-centred site built from such
    noise all qualify; one value repeated ``size`` times does not.
    """
    return [f"{site!r} is not {size} independent values (one per element of a plate of size {size}); its "
            f"values are independent along axes of size {sorted(structure.independent_sizes(site)) or 'none'}"
            for site in sites if size not in structure.independent_sizes(site)]


def outside_plate_problems(structure: ModelStructure, sites) -> list[str]:
    """``sites`` are global parameters: no plate may repeat them over anything but their own index."""
    problems = []
    for site in sites:
        own = set(structure.shapes.get(site, ()))
        repeating = [plate for plate in structure.plates_of(site) if structure.plate_sizes.get(plate) not in own]
        if repeating:
            problems.append(f"{site!r} is repeated over plate(s) {repeating}; the task asks for "
                            f"{'one value' if not own else f'one value of shape {structure.shapes[site]}'} "
                            f"shared by all")
    return problems


def distribution_problems(structure: ModelStructure, expected: dict[str, str]) -> list[str]:
    """Sites whose distribution name differs from ``expected`` (name -> e.g. ``"Normal"``)."""
    return [f"{site!r} follows {structure.distributions.get(site, 'nothing')}; the task asks for {name}"
            for site, name in expected.items() if structure.distributions.get(site) != name]


def observed_problems(structure: ModelStructure, sites) -> list[str]:
    """``sites`` must be observed (given ``obs=``)."""
    return [f"{site!r} is not observed: pass the data with obs=" for site in sites
            if site not in structure.observed]


def check(problems: list[str], model: str, hint: str = "", task: str = "") -> None:
    """Fail with every structural problem of ``model`` and what the task asks; pass when the list is empty."""
    if task:
        problems = problems and [*problems, f"the task asks for: {task}"]
    feedback.fail(problems, heading=f"the structure of {model} is not as the task asks:", hint=hint)
