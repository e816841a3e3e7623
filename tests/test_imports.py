"""The data flows one way: every import in the package, read from the source, respects the order.

The order, lowest first: errors, files, rules, budget and lazy (the base) -> graph -> calculus
-> notation -> verification -> records (a request computed into a record, one module per
command) -> present (a record written out) -> cli and explore (the front ends). A module may
import its own layer and the layers below, never above, so there is no cycle between
subpackages. The numeric oracle stands apart: it imports numpy, the standard library,
chainrule.errors and chainrule.budget (arithmetic on sizes) only, so checking against it checks
against an independent implementation; only verification and the records import it.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "chainrule"

LAYERS = {
    "errors": 0,
    "files": 0,
    "rules": 0,
    "budget": 0,
    "lazy": 0,
    "graph": 1,
    "calculus": 2,
    "notation": 3,
    "verification": 4,
    "records": 5,
    "present": 6,
    "cli": 7,
    "explore": 7,
    "api": 7,
    "deprecated": 7,
    "__main__": 7,
    "__init__": 7,
}
NUMERIC_USERS = {
    "numeric",
    "verification",
    "records",
    "cli",
    "explore",
    "api",
    "__main__",
    "__init__",
}

# The ways up, named: a Factor or a Chain (graph) shows itself as text or LaTeX (str, the
# JSON "latex" field, Jupyter) through the notations, and a drawing's record shows itself in
# Jupyter as the picture its presenter plots; each imported inside those methods at call time
# only. The notations import the graph at module level, the presenters their records: no cycle
# at import.
ALLOWED_UPWARD = {
    ("chainrule.graph.chains", "chainrule.notation"),
    ("chainrule.records.draw", "chainrule.present.draw"),
}
#: What a presenter may take from the computing layers: their types, for the type checker.
COMPUTING = ("chainrule.calculus", "chainrule.verification", "chainrule.numeric")


def _area(module: str) -> str:
    """The subpackage (or base module) of a dotted chainrule module name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module `path` imports, anywhere in it (inside functions too), with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}:{node.lineno}: a relative import"
            found.append((node.module, node.lineno))
            if node.module == "chainrule":  # from chainrule import rules
                found += [(f"chainrule.{alias.name}", node.lineno) for alias in node.names]
    return found


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(part for part in relative.parts)
        yield name, path


MODULES = list(_modules())


def test_the_walk_sees_the_whole_package():
    names = [name for name, _ in MODULES]
    assert "chainrule.numeric.backprop" in names and "chainrule.cli.entry" in names
    assert len(names) > 30


@pytest.mark.parametrize("name, path", [(n, p) for n, p in MODULES if _area(n) == "numeric"])
def test_numeric_imports_only_numpy_the_standard_library_and_errors(name, path):
    for module, line in _imports(path):
        top = module.split(".")[0]
        allowed = (
            top in sys.stdlib_module_names
            or top in ("numpy", "__future__")
            or module in ("chainrule", "chainrule.errors", "chainrule.budget")
            or module.startswith("chainrule.numeric")
        )
        assert allowed, f"{path.name}:{line} imports {module}"


@pytest.mark.parametrize("name, path", [(n, p) for n, p in MODULES if _area(n) != "numeric"])
def test_no_module_imports_a_layer_above_its_own(name, path):
    own = _area(name)
    for module, line in _imports(path):
        if module == "chainrule" or not module.startswith("chainrule."):
            continue
        target = _area(module)
        if (name, module) in ALLOWED_UPWARD:
            continue
        if target == "numeric":
            assert own in NUMERIC_USERS, f"{path.name}:{line}: {own} imports the numeric oracle"
            continue
        assert LAYERS[target] <= LAYERS[own], (
            f"{name}:{line} imports {module}: {own} is below {target} in the order"
        )


def test_a_violation_would_be_seen(tmp_path):
    """The walk finds imports inside functions, where the lazy ones live."""
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    from chainrule.cli import entry\n    import sympy\n")
    assert _imports(path) == [("chainrule.cli", 2), ("sympy", 3)]


#: The imports of chainrule's own modules that are made when a function runs, not where the
#: module begins: the ways up the layers above, and the stand-ins for old names, which load
#: what they stand for only when an old name is used (so that ``import chainrule`` stays
#: light and the package's own modules never import the stand-ins).
CALL_TIME = ALLOWED_UPWARD | {
    ("chainrule.__init__", "chainrule.deprecated"),
    ("chainrule.deprecated", "chainrule.verification.verify"),
    ("chainrule.deprecated", "chainrule.calculus.counting"),
}


def _imports_in_functions(path: Path) -> list[tuple[str, int]]:
    """Every chainrule module `path` imports inside a function, with its line."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("chainrule"):
                    found.append((node.module, node.lineno))
                elif isinstance(node, ast.Import):
                    found += [
                        (a.name, node.lineno) for a in node.names if a.name.startswith("chainrule")
                    ]
    return found


@pytest.mark.parametrize("name, path", MODULES)
def test_chainrule_modules_are_imported_where_a_module_begins(name, path):
    """Deferred loading is for the heavy libraries, through :func:`chainrule.lazy.lazy` (a
    module of chainrule's that loads SymPy or networkx as it is imported is bound the same way
    where only some calls need it); the package's own imports are at the top, where a reader
    looks for them, except those in :data:`CALL_TIME`."""
    for module, line in _imports_in_functions(path):
        allowed = any(below == name and module.startswith(above) for below, above in CALL_TIME)
        assert allowed, f"{name}:{line} imports {module} inside a function"


def test_an_import_inside_a_function_would_be_seen(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    if True:\n        from chainrule.graph import build\n")
    assert _imports_in_functions(path) == [("chainrule.graph", 3)]


@pytest.mark.parametrize("below, above", sorted(ALLOWED_UPWARD))
def test_the_way_up_is_taken_at_call_time_only(below, above):
    path = PACKAGE.parent / (below.replace(".", "/") + ".py")
    top_level = [
        node
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]
    assert not any(getattr(node, "module", "").startswith(above) for node in top_level)
    assert any(module == above for module, _ in _imports(path))  # at call time


def _computing_imports(path: Path) -> list[tuple[str, str, int, bool]]:
    """Each name `path` imports from the computing layers: (module, name, line, whether the
    import is for the type checker only, under ``if TYPE_CHECKING:``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and ast.unparse(branch.test) == "TYPE_CHECKING"
        for statement in branch.body
        for node in ast.walk(statement)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(COMPUTING):
            for alias in node.names:
                found.append((node.module, alias.name, node.lineno, id(node) in typing_only))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(COMPUTING):
                    found.append((alias.name, "", node.lineno, id(node) in typing_only))
    return found


@pytest.mark.parametrize("name, path", [(n, p) for n, p in MODULES if _area(n) == "present"])
def test_presenters_take_only_types_from_the_computing_layers(name, path):
    """A presenter formats a record: every number and formula comes from the record (or is
    printed by the notations), so from calculus, verification and numeric it may import
    classes, for the type checker, and nothing it could call to compute."""
    import importlib

    for module, imported, line, typing_only in _computing_imports(path):
        assert typing_only, f"{name}:{line} imports {module} outside TYPE_CHECKING"
        assert imported and isinstance(getattr(importlib.import_module(module), imported), type), (
            f"{name}:{line} imports {module}.{imported or '*'}, which is not a type"
        )


def test_a_presenter_computing_would_be_seen(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from chainrule.calculus.counting import Count\n"
        "def f():\n    from chainrule.calculus.counting import count\n"
    )
    assert _computing_imports(path) == [
        ("chainrule.calculus.counting", "Count", 3, True),
        ("chainrule.calculus.counting", "count", 5, False),
    ]


@pytest.mark.parametrize(
    "argv",
    [
        ["count", "784-512-512-10"],
        ["count", "--ops", "784-512-512-10"],
        ["count", "--by-layer", "784-512-512-10", "2-2-2"],
    ],
)
def test_count_loads_neither_sympy_nor_networkx(argv):
    """Counting, operations included, is closed-form arithmetic: no graph, no SymPy."""
    probe = (
        f"import sys; from chainrule.cli.entry import main; main({argv!r}); "
        "print(sorted(m for m in ('networkx', 'sympy', 'numpy', 'matplotlib') "
        "if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "[]"
    assert "784-512-512-10" in done.stdout


@pytest.mark.parametrize(
    "argv, needed",
    [
        (["chains", "2-2-2", "--param", "1,1,1"], {"networkx"}),
        (["chains", "2-2-2", "--format", "latex"], {"networkx"}),
        (["chains", "784-512-512-10", "--view", "matrix"], set()),
        (["draw", "2-2-2", "-o", "{tmp}/net.png"], {"numpy", "networkx", "matplotlib"}),
        (["train", "2-2-2", "--data", "random", "--epochs", "5"], {"numpy"}),
        (["values", "2-2-2"], {"numpy"}),
        (["paths", "2-2-2"], {"numpy", "networkx", "sympy"}),  # edge values from formulas
    ],
)
def test_each_command_loads_only_the_libraries_its_work_needs(argv, needed, tmp_path):
    """The abstract chains are names on a graph (no SymPy), a drawing is matplotlib's, training
    a layered net is numpy's: a module imported at the top must not bring SymPy (0.45 s of
    start-up) to a command that never writes a formula. Each line was once broken by an
    import moved to the top."""
    argv = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    probe = (
        f"import sys; from chainrule.cli.entry import main; main({argv!r}); "
        "print(sorted(m for m in ('networkx', 'sympy', 'numpy', 'matplotlib') "
        "if m in sys.modules), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == str(sorted(needed))


@pytest.mark.parametrize("name, path", [(n, p) for n, p in MODULES if _area(n) == "explore"])
def test_the_explorer_takes_nothing_from_the_command_line(name, path):
    """Two front ends over the same records: the explorer's layout, documents and answers come
    from records/ and present/, never from the command line's modules."""
    for module, line in _imports(path):
        assert not module.startswith("chainrule.cli"), f"{name}:{line} imports {module}"
