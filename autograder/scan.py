"""Read a submission's module without running it: syntax errors, monkey-patching and grader escapes.

The scan looks for what no exercise needs and what could change the checks' verdict:

* assigning to, deleting or ``setattr``-ing an attribute of NumPyro, JAX, NumPy, pytest, the grader or
  builtins (``numpyro.infer.MCMC = ...``, ``jnp.mean = ...``, ``mock.patch("jax.random.normal")``);
* escape hatches that reach into the grading process: frame and garbage-collector introspection,
  ``sys.modules``, ``ctypes``, dynamic imports and ``exec``/``eval``, importing the grader or pytest
  internals, starting processes, sending signals, ``os._exit``.

A finding voids the exercise before it runs. The runtime guards (``autograder.guard``) catch what an
obfuscated module hides from this scan.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from autograder.guard import is_guarded

FORBIDDEN_MODULES = {
    "ctypes": "loads native code into the grading process",
    "gc": None,  # only the object-graph functions below are forbidden
    "importlib": "imports modules dynamically",
    "builtins": "reaches into Python's builtins",
    "autograder": "imports the grader",
    "_pytest": "imports pytest internals",
    "subprocess": "starts processes",
    "multiprocessing": "starts processes",
    "signal": "handles or sends signals",
    "atexit": "runs code after the checks",
    "pty": "starts processes",
}
FORBIDDEN_ATTRIBUTES = {
    ("sys", "_getframe"): "inspects the grader's frames",
    ("sys", "_current_frames"): "inspects the grader's frames",
    ("sys", "settrace"): "traces the grader",
    ("sys", "setprofile"): "traces the grader",
    ("sys", "addaudithook"): "hooks into the grader",
    ("sys", "modules"): "changes or reads the grader's module table",
    ("gc", "get_objects"): "walks the grader's objects",
    ("gc", "get_referrers"): "walks the grader's objects",
    ("gc", "get_referents"): "walks the grader's objects",
    ("inspect", "currentframe"): "inspects the grader's frames",
    ("inspect", "stack"): "inspects the grader's frames",
    ("inspect", "getouterframes"): "inspects the grader's frames",
    ("os", "_exit"): "ends the grading process abruptly",
    ("os", "kill"): "sends signals",
    ("os", "killpg"): "sends signals",
    ("os", "fork"): "starts processes",
    ("os", "system"): "starts processes",
    ("os", "popen"): "starts processes",
    ("os", "write"): "writes to raw file descriptors",
    ("os", "dup2"): "replaces file descriptors",
}
FORBIDDEN_CALLS = {"__import__": "imports modules dynamically", "exec": "executes generated code",
                   "eval": "evaluates generated code", "compile": "compiles generated code"}
PATCHERS = {"setattr", "delattr"}
MOCK_PATCH_NAMES = {"patch", "patch.object", "patch.dict", "setattr", "setitem", "delattr"}


@dataclass(frozen=True)
class Finding:
    """One reason to void an exercise, with the line it is on."""

    line: int
    message: str
    kind: str = "tamper"  # "tamper" or "syntax"

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class _Scanner(ast.NodeVisitor):
    def __init__(self):
        self.aliases: dict[str, str] = {}  # local name -> dotted origin ("jnp" -> "jax.numpy")
        self.findings: list[Finding] = []

    # -- names -----------------------------------------------------------------------------------
    def origin(self, node: ast.AST) -> str | None:
        """Dotted origin of an expression built from imported names, e.g. ``numpyro.infer.MCMC``."""
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id, "__builtins__" if node.id == "__builtins__" else None)
        if isinstance(node, ast.Attribute):
            base = self.origin(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            return self.origin(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "vars" \
                and node.args:
            return self.origin(node.args[0])
        return None

    def guarded(self, node: ast.AST) -> str | None:
        origin = self.origin(node)
        if origin and (is_guarded(origin) or origin.startswith("__builtins__")):
            return origin
        return None

    def flag(self, node: ast.AST, message: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 0), message))

    # -- imports ---------------------------------------------------------------------------------
    def check_module(self, node: ast.AST, module: str) -> None:
        top = module.split(".")[0]
        reason = FORBIDDEN_MODULES.get(top)
        if reason:
            self.flag(node, f"imports {module}, which {reason}; exercise code must not")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.check_module(node, alias.name)
            if alias.asname:
                self.aliases[alias.asname] = alias.name
            else:
                top = alias.name.split(".")[0]
                self.aliases[top] = top
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        if node.level == 0:
            self.check_module(node, module)
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{module}.{alias.name}"
                reason = FORBIDDEN_ATTRIBUTES.get((module, alias.name))
                if reason:
                    self.flag(node, f"imports {module}.{alias.name}, which {reason}")
        self.generic_visit(node)

    # -- patching --------------------------------------------------------------------------------
    def check_target(self, target: ast.AST, verb: str) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self.check_target(element, verb)
        elif isinstance(target, ast.Starred):
            self.check_target(target.value, verb)
        elif isinstance(target, (ast.Attribute, ast.Subscript)):
            origin = self.guarded(target.value)
            if origin:
                name = f"{origin}.{target.attr}" if isinstance(target, ast.Attribute) else f"{origin}[...]"
                self.flag(target, f"{verb} {name}: monkey-patching a library the checks use is not allowed")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self.check_target(target, "assigns to")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.check_target(node.target, "assigns to")
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self.check_target(node.target, "assigns to")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.check_target(target, "deletes")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        base = self.origin(node.value)
        if base is not None:
            reason = FORBIDDEN_ATTRIBUTES.get((base, node.attr))
            if reason:
                self.flag(node, f"uses {base}.{node.attr}, which {reason}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id == "__builtins__":
            self.flag(node, "uses __builtins__, which reaches into Python's builtins")

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name):
            if func.id in FORBIDDEN_CALLS and func.id not in self.aliases:
                self.flag(node, f"calls {func.id}(), which {FORBIDDEN_CALLS[func.id]}")
            if func.id in PATCHERS and node.args and self.guarded(node.args[0]):
                self.flag(node, f"calls {func.id}() on {self.origin(node.args[0])}: monkey-patching a "
                                "library the checks use is not allowed")
        if isinstance(func, ast.Attribute):
            if func.attr in {"update", "setdefault", "pop", "__setitem__", "__delitem__", "clear"} \
                    and self.guarded(func.value):
                self.flag(node, f"changes {self.origin(func.value)}: monkey-patching a library the "
                                "checks use is not allowed")
            self.check_mock(node, func)
        self.generic_visit(node)

    def check_mock(self, node: ast.Call, func: ast.Attribute) -> None:
        """``mock.patch("numpyro...")``, ``monkeypatch.setattr(jax.random, ...)`` and friends."""
        name = func.attr if not isinstance(func.value, ast.Attribute) else f"{func.value.attr}.{func.attr}"
        if name not in MOCK_PATCH_NAMES and func.attr not in MOCK_PATCH_NAMES:
            return
        if not node.args:
            return
        first = node.args[0]
        target = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        if (target and is_guarded(target)) or self.guarded(first):
            self.flag(node, f"patches {target or self.origin(first)}: monkey-patching a library the "
                            "checks use is not allowed")


def scan_source(source: str, filename: str = "<submission>") -> list[Finding]:
    """Findings for one module's source; a syntax error is a single finding."""
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as error:
        return [Finding(error.lineno or 0, f"SyntaxError: {error.msg}", kind="syntax")]
    except (ValueError, RecursionError, MemoryError) as error:  # null bytes, absurd nesting
        return [Finding(0, f"cannot be parsed: {type(error).__name__}", kind="syntax")]
    scanner = _Scanner()
    try:
        scanner.visit(tree)
    except RecursionError:
        return [Finding(0, "is nested too deeply to be read", kind="syntax")]
    unique = {(finding.line, finding.message): finding for finding in scanner.findings}
    return sorted(unique.values(), key=lambda finding: finding.line)
