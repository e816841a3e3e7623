"""Presentation MathML fragments, for HTML that browsers render natively (no script, no CDN).

Every string is a fragment to be placed inside a ``<math>`` element (or an ``<mrow>``);
:meth:`MathMLNotation.equations` gives a whole ``<math display="block">``.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.chains import iter_chains
>>> from chainrule.graph.spec import Network
>>> graph = build_graph(Network([1, 1, 1]))
>>> factor = next(iter_chains(graph, "theta^(2)_11"))[0]
>>> MathMLNotation(graph).factor(factor)
'<mfrac><mrow><mo>&#x2202;</mo><mi>J</mi></mrow><mrow><mo>&#x2202;</mo><msubsup><mi>a</mi><mi>1</mi><mi>(3)</mi></msubsup></mrow></mfrac>'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from chainrule.calculus.symbolic import node_symbol
from chainrule.lazy import lazy
from chainrule.notation.base import Equation, Notation

if TYPE_CHECKING:
    from chainrule.notation import printers as printers
else:
    # Loaded on first use: SymPy and networkx come with them, which the other
    # calls of this module never need.
    printers = lazy("chainrule.notation.printers")


def _sup(base: str, layer: int) -> str:
    return f"<msup><mi>{base}</mi><mrow><mo>(</mo><mn>{layer}</mn><mo>)</mo></mrow></msup>"


def _fraction(of: str, wrt: str) -> str:
    return f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow><mrow><mo>&#x2202;</mo>{wrt}</mrow></mfrac>"


def _fprime(layer: int) -> str:
    return (
        f"<msup><mi>f</mi><mo>&#x2032;</mo></msup><mrow><mo>(</mo>{_sup('z', layer)}"
        "<mo>)</mo></mrow>"
    )


def aligned_table(lines: Iterable[tuple[str, Sequence[tuple[str, str]]]]) -> str:
    """Equations ``(lhs, [(operator, rhs), ...])`` as one ``<math display="block">`` table:
    the left side, the operator ('=' or '+') and the right side in three aligned columns, the
    left side written on each equation's first line only."""
    rows = [
        f"<mtr><mtd>{lhs if number == 0 else ''}</mtd><mtd><mo>{operator}</mo></mtd>"
        f"<mtd><mrow>{rhs}</mrow></mtd></mtr>"
        for lhs, parts in lines
        for number, (operator, rhs) in enumerate(parts)
    ]
    return (
        '<math display="block"><mtable columnalign="right center left">'
        + "".join(rows)
        + "</mtable></math>"
    )


#: A name whose base is a letter and "hat" (rnn: and resnet: outputs, ``yhat``).
_HATTED = re.compile(r"<mi>([A-Za-z])hat</mi>")


class MathMLNotation(Notation):
    """Presentation MathML: ``<mfrac>`` partials joined by invisible times, ``⋅`` between
    formulas; symbols as SymPy's presentation printer writes their text names."""

    format = "mathml"
    times = "<mo>&#x22C5;</mo>"
    juxtapose = "<mo>&#x2062;</mo>"
    plus = "<mo>+</mo>"
    minus = "<mo>&#x2212;</mo>"
    equals = "<mo>=</mo>"

    def __init__(self, graph=None):
        super().__init__(graph)
        self._names: dict[str, str] = {}

    def name(self, text: str, latex: str) -> str:
        if text not in self._names:
            # SymPy's MathML printer writes yhat as a word; its LaTeX printer, and the
            # graph's own LaTeX, put the hat on the y
            self._names[text] = _HATTED.sub(
                r'<mover accent="true"><mi>\1</mi><mo>^</mo></mover>',
                self.formula(node_symbol(text)),
            )
        return self._names[text]

    def figure(self, written: str) -> str:
        sign = "<mo>&#x2212;</mo>" if written.startswith("-") else ""
        written = written.removeprefix("-")
        if written in ("inf", "nan"):
            return f"<mrow>{sign}<mi>{'&#x221E;' if written == 'inf' else 'NaN'}</mi></mrow>"
        mantissa, _, power = written.partition("e")
        if not power:
            return f"<mrow>{sign}<mn>{mantissa}</mn></mrow>" if sign else f"<mn>{mantissa}</mn>"
        exponent = ("<mo>&#x2212;</mo>" if power.startswith("-") else "") + (
            f"<mn>{int(power.lstrip('+-'))}</mn>"
        )
        return (
            f"<mrow>{sign}<mn>{mantissa}</mn><mo>&#xD7;</mo>"
            f"<msup><mn>10</mn><mrow>{exponent}</mrow></msup></mrow>"
        )

    def annotated(self, side: str, note: str) -> str:
        return f'{side}<mspace width="1em"/><mtext>({note})</mtext>'

    def partial_of(self, of_text: str, of_latex: str, wrt_text: str, wrt_latex: str) -> str:
        return _fraction(self.name(of_text, of_latex), self.name(wrt_text, wrt_latex))

    def group(self, inside: str) -> str:
        return f"<mrow><mo>(</mo>{inside}<mo>)</mo></mrow>"

    def comment(self, text: str) -> str:
        return "".join(f"<!-- {line.replace('--', '- -')} -->\n" for line in text.splitlines())

    def continued_sum(self, lhs: str, terms: Sequence[str]) -> str:
        return aligned_table([(lhs, [("=", terms[0]), *(("+", term) for term in terms[1:])])])

    def equations(self, equations: Iterable[tuple[str, Sequence[str]]]) -> str:
        return (
            aligned_table([(lhs, [("=", rhs) for rhs in sides]) for lhs, sides in equations]) + "\n"
        )

    def matrix_form(self, network) -> list[Equation]:
        L, odot = network.depth, "<mo>&#x2299;</mo>"
        output = _fraction("<mi>J</mi>", _sup("a", L)) + (
            _fraction(_sup("a", L), _sup("z", L)) if network.softmax_output else odot + _fprime(L)
        )
        equations = [Equation(_sup("&#x3B4;", L), output)]
        equations += [
            Equation(
                _sup("&#x3B4;", l), _sup("&#x3B4;", l + 1) + _sup("&#x398;", l) + odot + _fprime(l)
            )
            for l in range(L - 1, 1, -1)
        ]
        equations += [
            Equation(
                _fraction("<mi>J</mi>", _sup("&#x398;", l)),
                f"<msup><mrow><mo>(</mo>{_sup('&#x3B4;', l + 1)}<mo>)</mo></mrow>"
                "<mi>T</mi></msup>" + ("<mi>x</mi>" if l == 1 else _sup("a", l)),
            )
            for l in range(1, L)
        ]
        return equations

    def _make_printer(self):
        return printers.ChainMathMLPrinter()

    def _formula_in_product(self, formula) -> str:
        import sympy as sp

        fragment = self.formula(formula)
        # A sum inside a product needs its parentheses, and so does a negative factor: without
        # them (out - y)·v reads as out - y·v, and -y/(am)·-a a as a subtraction.
        if isinstance(formula, sp.Add) or formula.could_extract_minus_sign():
            fragment = self.group(fragment)
        return fragment
