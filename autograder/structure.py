"""Model-structure checks: site names and shapes, what depends on what, which plate holds which site.

Built on ``numpyro.infer.inspect.get_model_relations`` (deterministic sites count as nodes, so a
non-centred ``theta = mu + tau * theta_raw`` still "depends on mu and tau") plus one seeded trace
for the shapes. Each ``*_problems`` function returns readable sentences; ``check`` fails with them.
"""
from __future__ import annotations

from dataclasses import dataclass

from numpyro import handlers
from numpyro.infer.inspect import get_model_relations

from autograder import feedback


@dataclass(frozen=True)
class ModelStructure:
    """The graph of one model on given data."""

    parents: dict[str, list[str]]        # site -> sites it depends on directly
    distributions: dict[str, str]        # site -> distribution name ("Deterministic" for derived sites)
    plates: dict[str, list[str]]         # plate name -> sites inside it
    plate_sizes: dict[str, int]
    observed: list[str]
    shapes: dict[str, tuple[int, ...]]   # site -> value shape

    def plates_of(self, site: str) -> list[str]:
        return [plate for plate, sites in self.plates.items() if site in sites]


def inspect_model(model, *args, **kwargs) -> ModelStructure:
    """Relations and shapes of ``model(*args, **kwargs)``; exceptions from the model propagate."""
    relations = get_model_relations(model, model_args=args, model_kwargs=kwargs)
    trace = handlers.trace(handlers.seed(model, 0)).get_trace(*args, **kwargs)
    shapes = {name: tuple(getattr(site["value"], "shape", ())) for name, site in trace.items()
              if site["type"] in ("sample", "deterministic")}
    sizes = {name: int(site["args"][0]) for name, site in trace.items() if site["type"] == "plate"}
    return ModelStructure(
        parents=relations["sample_sample"],
        distributions=relations["sample_dist"],
        plates={name.removesuffix("__CLONE"): sites for name, sites in relations["plate_sample"].items()},
        plate_sizes=sizes,
        observed=list(relations["observed"]),
        shapes=shapes,
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
            problems.append(f"site {site!r} has shape {structure.shapes[site]}; expected {tuple(shape)}")
    return problems


def dependency_problems(structure: ModelStructure, site: str, parents, exactly: bool = False) -> list[str]:
    """``site`` must depend directly on every site in ``parents`` (and on nothing else if ``exactly``)."""
    if site not in structure.parents:
        return [f"no site named {site!r}"]
    found = set(structure.parents[site])
    problems = [f"{site!r} does not depend on {parent!r} (it depends on {sorted(found) or 'nothing'})"
                for parent in parents if parent not in found]
    extra = found - set(parents)
    if exactly and extra:
        problems.append(f"{site!r} also depends on {sorted(extra)}; expected only {sorted(parents)}")
    return problems


def plate_problems(structure: ModelStructure, sites, size: int) -> list[str]:
    """All ``sites`` must sit together inside one plate of ``size`` elements."""
    shared = None
    for site in sites:
        plates = {p for p in structure.plates_of(site) if structure.plate_sizes.get(p) == size}
        shared = plates if shared is None else shared & plates
    if shared:
        return []
    where = {site: structure.plates_of(site) or "no plate" for site in sites}
    return [f"{', '.join(map(repr, sites))} should share one plate of size {size}; "
            f"plates found: {where}"]


def outside_plate_problems(structure: ModelStructure, sites) -> list[str]:
    """``sites`` (global parameters) must not sit inside any plate."""
    return [f"{site!r} is inside plate(s) {structure.plates_of(site)} but is a single global parameter"
            for site in sites if structure.plates_of(site)]


def distribution_problems(structure: ModelStructure, expected: dict[str, str]) -> list[str]:
    """Sites whose distribution name differs from ``expected`` (name -> e.g. ``"Normal"``)."""
    return [f"{site!r} follows {structure.distributions.get(site, 'nothing')}; expected {name}"
            for site, name in expected.items() if structure.distributions.get(site) != name]


def observed_problems(structure: ModelStructure, sites) -> list[str]:
    """``sites`` must be observed (given ``obs=``)."""
    return [f"{site!r} is not observed: pass the data with obs=" for site in sites
            if site not in structure.observed]


def check(problems: list[str], model: str, hint: str = "") -> None:
    """Fail with every structural problem of ``model``; pass when the list is empty."""
    feedback.fail(problems, heading=f"the structure of {model} is not as the task asks:", hint=hint)
