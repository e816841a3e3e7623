"""LaTeX: amsmath only (``\\frac``, ``\\partial``, ``aligned``), so it renders in KaTeX and MathJax.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.chains import iter_chains
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> chain = next(iter_chains(graph, "theta^(2)_11"))
>>> print(LatexNotation(graph).chain(chain, "local"))
\\frac{a_{1}^{(3)} - y_{1}}{m} \\cdot a_{1}^{(3)} \\left(1 - a_{1}^{(3)}\\right) \\cdot a_{1}^{(2)}
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from chainrule.lazy import lazy
from chainrule.notation.base import Equation, Notation
from chainrule.notation.numbers import latex_number

if TYPE_CHECKING:
    from chainrule.notation import printers as printers
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    printers = lazy("chainrule.notation.printers")


def aligned_lines(lines: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> list[str]:
    """Equations ``(lhs, [(operator, rhs), ...])`` as the lines of an ``aligned`` block: the
    first ``lhs &= rhs``, then ``&= rhs`` or ``&\\quad + rhs`` by operator ('=' or '+')."""
    return [
        f"{lhs} &= {rhs}"
        if number == 0
        else (rf"&= {rhs}" if operator == "=" else rf"&\quad + {rhs}")
        for lhs, parts in lines
        for number, (operator, rhs) in enumerate(parts)
    ]


class LatexNotation(Notation):
    """LaTeX: partials as ``\\frac{\\partial a}{\\partial b}``, juxtaposed; ``\\cdot`` between
    formulas; gradients and derivations as ``aligned`` blocks."""

    format = "latex"
    times = r" \cdot "
    juxtapose = " "
    plus = " + "

    def name(self, text: str, latex: str) -> str:
        return latex

    def figure(self, written: str) -> str:
        return latex_number(written)

    def annotated(self, side: str, note: str) -> str:
        return rf"{side} \quad \text{{({note})}}"

    def partial_of(self, of_text: str, of_latex: str, wrt_text: str, wrt_latex: str) -> str:
        return rf"\frac{{\partial {of_latex}}}{{\partial {wrt_latex}}}"

    def group(self, inside: str) -> str:
        return rf"\left({inside}\right)"

    def comment(self, text: str) -> str:
        return "".join(f"% {line}\n" for line in text.splitlines())

    def continued_sum(self, lhs: str, terms: Sequence[str]) -> str:
        lines = aligned_lines([(lhs, [("=", terms[0]), *(("+", term) for term in terms[1:])])])
        return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"

    def equations(self, equations: Iterable[tuple[str, Sequence[str]]]) -> str:
        lines = aligned_lines([(lhs, [("=", rhs) for rhs in sides]) for lhs, sides in equations])
        return "\\[\n\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}\n\\]\n"

    def matrix_form(self, network) -> list[Equation]:
        L = network.depth
        output = r"\delta^{(L)} = \frac{\partial J}{\partial a^{(L)}} " + (
            r"\frac{\partial a^{(L)}}{\partial z^{(L)}}"
            if network.softmax_output
            else r"\odot f'\left(z^{(L)}\right)"
        )
        hidden = [
            rf"\delta^{{({l})}} = \delta^{{({l + 1})}} \Theta^{{({l})}} "
            rf"\odot f'\left(z^{{({l})}}\right)"
            for l in range(L - 1, 1, -1)
        ]
        weights = [
            rf"\frac{{\partial J}}{{\partial \Theta^{{({l})}}}} = "
            rf"\left(\delta^{{({l + 1})}}\right)^{{\top}} " + ("x" if l == 1 else f"a^{{({l})}}")
            for l in range(1, L)
        ]
        return [
            Equation(*line.split(" = ", 1))
            for line in [output.replace("(L)", f"({L})"), *hidden, *weights]
        ]

    def _make_printer(self):
        settings = {} if self.graph is None else {"symbol_names": printers.latex_names(self.graph)}
        return printers.ChainLatexPrinter(settings)

    def _formula_in_product(self, formula) -> str:
        return printers.as_product_factor(self.printer, formula, r"\left(", r"\right)")
