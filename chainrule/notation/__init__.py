"""Notation: how every quantity is written, one class per format.

:class:`~chainrule.notation.text.TextNotation` (ASCII), :class:`~chainrule.notation.text.
UnicodeNotation`, :class:`~chainrule.notation.latex.LatexNotation` and
:class:`~chainrule.notation.mathml.MathMLNotation` share one algorithm
(:class:`~chainrule.notation.base.Notation`) and differ only in their tokens. Notations consume
the graph, the chains and the δ records of the calculus; they compute nothing themselves.

Examples
--------
>>> from chainrule.calculus.delta import define_delta
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> definition = define_delta(graph, "z^(3)_1")
>>> for format in ("text", "unicode", "latex"):
...     print(notation_for(format, graph).delta_definition(definition))
delta^(3)_1 = dJ/da^(3)_1 * da^(3)_1/dz^(3)_1
δ⁽³⁾₁ = ∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁
\\delta_{1}^{(3)} = \\frac{\\partial J}{\\partial a_{1}^{(3)}}
    \\frac{\\partial a_{1}^{(3)}}{\\partial z_{1}^{(3)}}
>>> notation_for("mathml", graph).delta(definition.delta)
'<msubsup><mi>&#948;</mi><mi>1</mi><mi>(3)</mi></msubsup>'
"""

from __future__ import annotations

from importlib import import_module
from weakref import WeakKeyDictionary

#: Each format's notation class, as ``module:Class`` (imported when first asked for).
FORMATS = {
    "text": "chainrule.notation.text:TextNotation",
    "unicode": "chainrule.notation.text:UnicodeNotation",
    "latex": "chainrule.notation.latex:LatexNotation",
    "mathml": "chainrule.notation.mathml:MathMLNotation",
}

# One notation per graph and format while the graph lives: its printer and its cache of edge
# formulas are made once, however many writers ask.
_MADE: WeakKeyDictionary = WeakKeyDictionary()
_WITHOUT_GRAPH: dict = {}


def notation_class(format: str) -> type:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    module, name = FORMATS[format].split(":")
    return getattr(import_module(module), name)


def notation_for(format: str, graph=None):
    """The notation of `format` ("text", "unicode", "latex" or "mathml") for `graph`.

    The same object is returned for the same graph and format, so its printed formulas are
    shared by every writer; without a graph it writes what needs no graph (abstract partials,
    δ records, formulas without LaTeX names).
    """
    if graph is None:
        if format not in _WITHOUT_GRAPH:
            _WITHOUT_GRAPH[format] = notation_class(format)()
        return _WITHOUT_GRAPH[format]
    made = _MADE.setdefault(graph, {})
    if format not in made:
        made[format] = notation_class(format)(graph)
    return made[format]
