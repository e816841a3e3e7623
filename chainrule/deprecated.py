"""Names the package exported once and has replaced: each still works, warns, and names its
replacement, for at least one release (see CHANGELOG.md).

``chainrule.<old name>`` finds its stand-in here (``chainrule.__getattr__`` looks in
:data:`DEPRECATED`); ``tests/test_public_api.py`` fails when an exported name disappears without
one.

Examples
--------
>>> import warnings
>>> import chainrule
>>> from chainrule.graph.build import build_graph
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     counts = chainrule.graph_operation_counts(build_graph(chainrule.Network([2, 2, 2])))
>>> counts.reverse.multiplications, caught[0].category.__name__
(16, 'DeprecationWarning')
>>> print(caught[0].message)
chainrule.graph_operation_counts is deprecated: use chainrule.operation_counts(graph, sources)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Iterable
from typing import Any


def _warn(old: str, new: str) -> None:
    warnings.warn(f"chainrule.{old} is deprecated: use {new}", DeprecationWarning, stacklevel=3)


def verify_graph(
    graph: Any,
    sources: list[str],
    values: dict,
    examples: int,
    title: str | None = None,
    backprop: dict | None = None,
) -> Any:
    """The verification of a graph, as before: replaced by :func:`chainrule.verify`, which takes
    the same arguments (a numeric case, or a graph with its leaf values) and finds the reference
    itself."""
    from chainrule.verification.verify import verify

    _warn("verify_graph", "chainrule.verify(graph, sources, values, examples, title=title)")
    if backprop is not None:
        raise TypeError(
            "verify_graph's backprop= is gone: chainrule.verify(case) uses numeric backprop as "
            "the reference of a layered network's case by itself"
        )
    return verify(graph, sources, values, examples, title=title)


def graph_operation_counts(graph: Any, sources: Iterable[Hashable] | None = None) -> Any:
    """Operation counts on a graph: replaced by :func:`chainrule.operation_counts`, which takes
    a graph or a layered network."""
    from chainrule.calculus.counting import operation_counts

    _warn("graph_operation_counts", "chainrule.operation_counts(graph, sources)")
    return operation_counts(graph, sources)


#: Old name -> its stand-in, which warns and forwards to the replacement.
DEPRECATED: dict[str, Callable[..., Any]] = {
    "verify_graph": verify_graph,
    "graph_operation_counts": graph_operation_counts,
}
