"""Correct rewrites of a reference solution, generated from its source: same model, other spelling.

``rewrites(source)`` returns ``{kind: rewritten source}`` for every kind that changes the module:

* ``deterministic_mean``: each likelihood's mean (or rate) recorded with ``numpyro.deterministic``;
* ``reparam_noncentred``: each latent Normal site non-centred with ``LocScaleReparam(0)``;
* ``raw_noncentred``: each latent Normal site as ``<name>_raw ~ Normal(0, 1)`` and a deterministic;
* ``event_vector``: each latent vector site in a plate written with ``.expand([k]).to_event(1)``;
* ``own_plate``: each latent vector site in a plate of its own over its index (also for one written
  with ``.expand([k]).to_event(1)``);
* ``renamed_plates``: every plate under another name;
* ``keywords``: keyword arguments for ``sample``, ``plate``, ``deterministic`` and distributions.

``centred`` names ``(function, site)`` pairs the task wants centred: they are never non-centred.
"""
from __future__ import annotations

import ast
import copy
import inspect

import numpyro.distributions

RESHAPING = ("expand", "to_event")


def numpyro_call(node: ast.AST, name: str) -> bool:
    """``numpyro.<name>(...)``."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "numpyro")


def site_name(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def distribution_of(call: ast.Call) -> ast.AST | None:
    return call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "fn"), None)


def split_distribution(node: ast.AST) -> tuple[ast.Call | None, list[tuple[str, ast.Call]]]:
    """``dist.X(...).expand([k]).to_event(1)`` -> (``dist.X(...)``, [("expand", call), ("to_event", call)])."""
    suffix = []
    while (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RESHAPING):
        suffix.insert(0, (node.func.attr, node))
        node = node.func.value
    base = node if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
    return base, suffix


def with_suffix(base: ast.AST, suffix: list[tuple[str, ast.Call]]) -> ast.AST:
    for method, call in suffix:
        base = ast.Call(ast.Attribute(base, method, ast.Load()), call.args, call.keywords)
    return base


def is_latent(call: ast.AST) -> bool:
    return numpyro_call(call, "sample") and not any(k.arg == "obs" for k in call.keywords)


def normal_parts(call: ast.Call) -> tuple[ast.AST, ast.AST, list] | None:
    """(loc, scale, suffix) of a latent ``dist.Normal(loc, scale)`` site, else None."""
    base, suffix = split_distribution(distribution_of(call))
    if base is None or base.func.attr != "Normal" or len(base.args) != 2:
        return None
    return base.args[0], base.args[1], suffix


def parse(text: str) -> ast.expr:
    return ast.parse(text, mode="eval").body


class SiteRewriter(ast.NodeTransformer):
    """Rewrites ``numpyro.sample`` calls one by one; knows the function it is in."""

    def __init__(self, centred: set[tuple[str, str]]):
        self.centred = centred
        self.function = ""

    def visit_FunctionDef(self, node):
        self.function = node.name
        return self.generic_visit(node)

    def may_noncentre(self, call: ast.Call) -> bool:
        return (is_latent(call) and (self.function, site_name(call)) not in self.centred
                and normal_parts(call) is not None)


class DeterministicMean(SiteRewriter):
    def visit_Call(self, node):
        self.generic_visit(node)
        if numpyro_call(node, "sample") and not is_latent(node):
            base, _ = split_distribution(distribution_of(node))
            if base is not None and base.args:
                base.args[0] = ast.Call(parse("numpyro.deterministic"),
                                        [ast.Constant(f"{site_name(node)}_mean"), base.args[0]], [])
        return node


class ReparamNoncentred(SiteRewriter):
    def visit_Call(self, node):
        self.generic_visit(node)
        if self.may_noncentre(node):
            node.func = parse(f"numpyro.handlers.reparam(numpyro.sample, "
                              f"config={{{site_name(node)!r}: LocScaleReparam(0)}})")
        return node


class RawNoncentred(SiteRewriter):
    def visit_Call(self, node):
        self.generic_visit(node)
        if not self.may_noncentre(node):
            return node
        loc, scale, suffix = normal_parts(node)
        name = site_name(node)
        raw = ast.Call(parse("numpyro.sample"), [ast.Constant(f"{name}_raw"),
                                                 with_suffix(parse("dist.Normal(0.0, 1.0)"), suffix)], [])
        value = ast.BinOp(loc, ast.Add(), ast.BinOp(scale, ast.Mult(), raw))
        return ast.Call(parse("numpyro.deterministic"), [ast.Constant(name), value], [])


class RenamedPlates(SiteRewriter):
    def visit_Call(self, node):
        self.generic_visit(node)
        if numpyro_call(node, "plate") and node.args and isinstance(node.args[0], ast.Constant):
            node.args[0] = ast.Constant(f"{node.args[0].value}_axis")
        return node


class Keywords(SiteRewriter):
    NAMES = {"sample": ("name", "fn"), "plate": ("name", "size"), "deterministic": ("name", "value")}

    def visit_Call(self, node):
        self.generic_visit(node)
        names = next((names for call, names in self.NAMES.items() if numpyro_call(node, call)), None)
        if names is None and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                and node.func.value.id == "dist" and hasattr(numpyro.distributions, node.func.attr):
            names = tuple(inspect.signature(getattr(numpyro.distributions, node.func.attr)).parameters)
        if names and len(node.args) <= len(names):
            node.keywords = [ast.keyword(name, arg) for name, arg in zip(names, node.args)] + node.keywords
            node.args = []
        return node


def sample_statement(statement: ast.stmt) -> ast.Call | None:
    """The latent ``numpyro.sample`` call a statement evaluates (``x = numpyro.sample(...)`` or bare)."""
    value = statement.value if isinstance(statement, (ast.Assign, ast.Expr)) else None
    return value if value is not None and is_latent(value) else None


class HoistFromPlates(ast.NodeTransformer):
    """Moves each latent site out of a shared plate: vectorised with ``expand``/``to_event`` or in its own plate."""

    def __init__(self, own_plate: bool):
        self.own_plate = own_plate

    def reshaped(self, statement: ast.stmt, size: ast.AST, handlers: list[ast.withitem]) -> ast.stmt:
        statement = copy.deepcopy(statement)
        call = sample_statement(statement)
        if self.own_plate:
            items = [ast.withitem(ast.Call(parse("numpyro.plate"), [ast.Constant(f"{site_name(call)}_index"),
                                                                    size], []))]
            return ast.With(items + handlers, [statement])
        fn = distribution_of(call)
        call.args[1] = ast.Call(ast.Attribute(ast.Call(ast.Attribute(fn, "expand", ast.Load()),
                                                       [ast.List([size], ast.Load())], []),
                                              "to_event", ast.Load()), [ast.Constant(1)], [])
        return ast.With(handlers, [statement]) if handlers else statement

    def hoisted(self, body: list[ast.stmt], size: ast.AST, handlers: list) -> tuple[list, list]:
        """(statements moved out, statements kept) of a plate's body."""
        moved, kept = [], []
        for statement in body:
            if sample_statement(statement):
                moved.append(self.reshaped(statement, size, handlers))
            elif isinstance(statement, ast.With) and all(sample_statement(s) for s in statement.body):
                inner = handlers + statement.items
                moved += [self.reshaped(s, size, inner) for s in statement.body]
            else:
                kept.append(statement)
        return moved, kept

    def visit_With(self, node):
        self.generic_visit(node)
        plates = [item for item in node.items if numpyro_call(item.context_expr, "plate")]
        if len(plates) != 1:
            return node
        size = plates[0].context_expr.args[1]
        handlers = [item for item in node.items if item is not plates[0]]
        moved, kept = self.hoisted(node.body, size, handlers)
        if not moved:
            return node
        node.body = kept
        return moved + ([node] if kept else [])

    def visit_Assign(self, node):
        """With ``own_plate``: a site written ``.expand([k]).to_event(1)`` outside plates gets a plate over k."""
        call = sample_statement(node)
        if not self.own_plate or call is None:
            return node
        base, suffix = split_distribution(distribution_of(call))
        methods = [method for method, _ in suffix]
        if base is None or methods != list(RESHAPING):
            return node
        size = suffix[0][1].args[0].elts[0]
        call.args[1] = base
        plate = ast.Call(parse("numpyro.plate"), [ast.Constant(f"{site_name(call)}_index"), size], [])
        return ast.With([ast.withitem(plate)], [node])


def _site_rewrite(kind: type[SiteRewriter]):
    return lambda tree, centred: kind(centred).visit(tree)


KINDS = {
    "deterministic_mean": _site_rewrite(DeterministicMean),
    "reparam_noncentred": _site_rewrite(ReparamNoncentred),
    "raw_noncentred": _site_rewrite(RawNoncentred),
    "event_vector": lambda tree, centred: HoistFromPlates(own_plate=False).visit(tree),
    "own_plate": lambda tree, centred: HoistFromPlates(own_plate=True).visit(tree),
    "renamed_plates": _site_rewrite(RenamedPlates),
    "keywords": _site_rewrite(Keywords),
}
IMPORTS = "import numpyro\nfrom numpyro.infer.reparam import LocScaleReparam\n"


def rewrites(source: str, centred: set[tuple[str, str]] = frozenset()) -> dict[str, str]:
    """``{kind: source}`` for every kind of rewrite that changes ``source`` (each one compiles)."""
    original = ast.unparse(ast.parse(source))
    found = {}
    for kind, rewrite in KINDS.items():
        tree = ast.fix_missing_locations(rewrite(ast.parse(source), set(centred)))
        text = ast.unparse(tree)
        if text != original:
            text = IMPORTS + text
            compile(text, f"<{kind}>", "exec")
            found[kind] = text
    return found
