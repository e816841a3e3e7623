"""Terminal text: ASCII (``dJ/da^(3)_1 * ...``) and unicode (``∂J/∂a⁽³⁾₁ · ...``).

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.chains import iter_chains
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> chain = next(iter_chains(graph, "theta^(2)_11"))
>>> TextNotation(graph).chain(chain)
'dJ/da^(3)_1 * da^(3)_1/dz^(3)_1 * dz^(3)_1/dtheta^(2)_11'
>>> UnicodeNotation(graph).chain(chain, "local")
'(a⁽³⁾₁ - y₁)/m · a⁽³⁾₁*(1 - a⁽³⁾₁) · a⁽²⁾₁'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar

from chainrule.graph import names
from chainrule.lazy import lazy
from chainrule.notation.base import Equation, Notation

if TYPE_CHECKING:
    from chainrule.notation import printers as printers
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    printers = lazy("chainrule.notation.printers")


class TextNotation(Notation):
    """ASCII text: ``d`` for ∂, ``*`` for a product, names as the text names."""

    format = "text"
    times = " * "
    juxtapose = " * "
    plus = " + "
    _d = "d"
    _matrix_symbols: ClassVar[dict[str, str]] = {
        "theta": "Theta",
        "delta": "delta",
        "odot": ".*",
        "top": "^T",
    }

    def name(self, text: str, latex: str) -> str:
        return text

    def partial_of(self, of_text: str, of_latex: str, wrt_text: str, wrt_latex: str) -> str:
        d = self._d
        return f"{d}{self.name(of_text, of_latex)}/{d}{self.name(wrt_text, wrt_latex)}"

    def group(self, inside: str) -> str:
        return f"({inside})"

    def comment(self, text: str) -> str:
        return f"{text}\n"

    def continued_sum(self, lhs: str, terms: Sequence[str]) -> str:
        indent = " " * len(lhs)
        return "\n".join([f"{lhs} = {terms[0]}", *(f"{indent} + {term}" for term in terms[1:])])

    def equations(self, equations: Iterable[tuple[str, Sequence[str]]]) -> str:
        return "".join(
            f"{lhs if number == 0 else ' ' * len(lhs)} = {rhs}\n"
            for lhs, sides in equations
            for number, rhs in enumerate(sides)
        )

    def matrix_form(self, network) -> list[Equation]:
        L, d = network.depth, self._d
        theta, delta, odot, top = (
            self._matrix_symbols[key] for key in ("theta", "delta", "odot", "top")
        )
        output = f"{delta}^({L}) = {d}J/{d}a^({L}) " + (
            f"{d}a^({L})/{d}z^({L})" if network.softmax_output else f"{odot} f'(z^({L}))"
        )
        hidden = [
            f"{delta}^({l}) = {delta}^({l + 1}) {theta}^({l}) {odot} f'(z^({l}))"
            for l in range(L - 1, 1, -1)
        ]
        weights = [
            f"{d}J/{d}{theta}^({l}) = ({delta}^({l + 1})){top} " + ("x" if l == 1 else f"a^({l})")
            for l in range(1, L)
        ]
        return [Equation(*line.split(" = ", 1)) for line in [output, *hidden, *weights]]

    def _make_printer(self):
        return printers.ChainStrPrinter(unicode=self.format == "unicode")

    def _formula_in_product(self, formula) -> str:
        return printers.as_product_factor(self.printer, formula, "(", ")")


class UnicodeNotation(TextNotation):
    """Unicode text: ∂, θ⁽¹⁾₁₁, ``·`` for a product."""

    format = "unicode"
    times = " · "
    juxtapose = " · "
    _d = "∂"
    _matrix_symbols: ClassVar[dict[str, str]] = {
        "theta": "Θ",
        "delta": "δ",
        "odot": "⊙",
        "top": "ᵀ",
    }

    def name(self, text: str, latex: str) -> str:
        return names.unicode_name(text)
