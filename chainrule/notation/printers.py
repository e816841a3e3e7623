"""SymPy printer subclasses with chainrule's symbols: the formulas inside every notation.

Each knows the :class:`~chainrule.calculus.symbolic.Partial` atom and writes symbols the way
its notation does; the settings (the LaTeX of every symbol) are given in one place,
:func:`latex_names`. A notation makes one printer and keeps it, so a graph's names are looked
up once.

Examples
--------
>>> import sympy as sp
>>> from chainrule.calculus.symbolic import Partial, node_symbol
>>> a, z = node_symbol("a^(2)_1"), node_symbol("z^(2)_1")
>>> ChainStrPrinter(unicode=True).doprint(Partial(a, z) * (1 - a))
'(1 - a⁽²⁾₁)*∂a⁽²⁾₁/∂z⁽²⁾₁'
>>> ChainLatexPrinter({"symbol_names": {a: "a_{1}^{(2)}", z: "z_{1}^{(2)}"}}).doprint(Partial(a, z))
'\\\\frac{\\\\partial a_{1}^{(2)}}{\\\\partial z_{1}^{(2)}}'

SymPy 1.12 printed these two otherwise; chainrule's printers write them as later releases do,
so that its output does not depend on the SymPy installed:

>>> x = node_symbol("x_1")
>>> ChainLatexPrinter({"symbol_names": {x: "x_{1}", a: "a_{1}^{(2)}"}}).doprint(x * (1 - a))
'x_{1} \\\\left(1 - a_{1}^{(2)}\\\\right)'
>>> ChainMathMLPrinter().doprint(sp.Symbol("b") * (1 - sp.Symbol("c")))
'<mrow><mi>b</mi><mo>&InvisibleTimes;</mo><mrow><mo>(</mo>...<mo>)</mo></mrow></mrow>'
"""

from __future__ import annotations

import networkx as nx
import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.mathml import MathMLPresentationPrinter
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from chainrule.calculus.symbolic import M, Partial, node_symbol, target_symbol
from chainrule.graph import names


def latex_names(graph: nx.DiGraph) -> dict[sp.Symbol, str]:
    """LaTeX for every symbol that can appear: nodes, targets and m (for ``symbol_names``)."""
    latex = {node_symbol(name): data["latex"] for name, data in graph.nodes(data=True)}
    if "network" in graph.graph:
        output_size = graph.graph["network"].sizes[-1]
        latex.update({target_symbol(i): f"y_{{{i}}}" for i in range(1, output_size + 1)})
    for target in graph.graph.get("targets", ()):
        latex[target] = graph.graph["target_latex"][str(target)]
    latex[M] = "m"
    return latex


class ChainLatexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with chainrule's symbol names and the :class:`Partial` atom."""

    def _print_Partial(self, expr: Partial) -> str:
        return rf"\frac{{\partial {self._print(expr.of)}}}{{\partial {self._print(expr.wrt)}}}"

    def _print_Mul(self, expr: sp.Mul) -> str:
        # SymPy 1.12 put the numbers' separator before a bracketed factor that follows a name
        # ending in a digit (x_{1} \cdot \left(1 - a\right)), deciding from the factor's plain
        # text; 1.13 and later decide from its LaTeX and write x_{1} \left(1 - a\right).
        numbers, separator = (
            self._settings["mul_symbol_latex_numbers"],
            self._settings["mul_symbol_latex"],
        )
        return super()._print_Mul(expr).replace(numbers + r"\left(", separator + r"\left(")


class ChainStrPrinter(StrPrinter):
    """SymPy's text printer, optionally spelling symbols in unicode (θ⁽¹⁾₁₁)."""

    def __init__(self, settings=None, unicode: bool = False):
        super().__init__(settings)
        self.unicode = unicode

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return names.unicode_name(expr.name) if self.unicode else expr.name

    def _print_Partial(self, expr: Partial) -> str:
        of, wrt = self._print(expr.of), self._print(expr.wrt)
        return f"∂{of}/∂{wrt}" if self.unicode else f"d{of}/d{wrt}"

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """In unicode, a piecewise formula as a person reads it, ``(1 if z⁽³⁾₁ > 0 else 0)``
        (relu's derivative); plain text keeps SymPy's ``Piecewise((1, z > 0), (0, True))``,
        the spelling scripts read back. A last piece whose condition is not True has no
        ``else``: past every condition the formula is undefined."""
        if not self.unicode:
            return self._print_Basic(expr)
        words = []
        for number, (value, condition) in enumerate(expr.args):
            if number:
                words.append("else")
            words.append(self._print(value))
            if condition is not sp.true:
                words += ["if", self._print(condition)]
        return "(" + " ".join(words) + ")"


class ChainMathMLPrinter(MathMLPresentationPrinter):
    """SymPy's presentation MathML printer (symbols named from their text names, which SymPy
    splits into sub- and superscripts), with the :class:`Partial` atom."""

    def doprint(self, expr: sp.Basic) -> str:
        """The MathML of `expr`, serialised as SymPy's own ``doprint`` does, with parentheses
        written as operators (see :func:`_fences_as_operators`) and the comparisons' < and >
        escaped (SymPy writes them raw, which ends an HTML page's markup early)."""
        element = _fences_as_operators(self._print(expr))
        text = element.toxml().encode("ascii", "xmlcharrefreplace").decode()
        return text.replace("<mo><</mo>", "<mo>&lt;</mo>").replace("<mo>></mo>", "<mo>&gt;</mo>")

    def _print_Piecewise(self, expr: sp.Piecewise):
        """A piecewise formula (relu's derivative) as a brace and its cases, one a row:
        ``{1 if z > 0; 0 otherwise}``, as the LaTeX ``cases`` writes it (SymPy's own MathML is
        the call ``piecewise((1, z > 0), (0, True))``)."""
        table = self.dom.createElement("mtable")
        table.setAttribute("columnalign", "left left")
        for value, condition in expr.args:
            row = self.dom.createElement("mtr")
            cell = self.dom.createElement("mtd")
            cell.appendChild(self._print(value))
            row.appendChild(cell)
            cell = self.dom.createElement("mtd")
            words = self.dom.createElement("mtext")
            otherwise = condition is sp.true
            words.appendChild(self.dom.createTextNode("otherwise" if otherwise else "if\u00a0"))
            cell.appendChild(words)
            if not otherwise:
                cell.appendChild(self._print(condition))
            row.appendChild(cell)
            table.appendChild(row)
        brace = self.dom.createElement("mrow")
        brace.appendChild(_operator(self.dom, "{"))
        brace.appendChild(table)
        return brace

    def _print_Partial(self, expr: Partial):
        fraction = self.dom.createElement("mfrac")
        for symbol in (expr.of, expr.wrt):
            row = self.dom.createElement("mrow")
            operator = self.dom.createElement("mo")
            operator.appendChild(self.dom.createTextNode("\N{PARTIAL DIFFERENTIAL}"))
            row.appendChild(operator)
            row.appendChild(self._print(symbol))
            fraction.appendChild(row)
        return fraction


def _fences_as_operators(element):
    """`element` (a DOM element) with every ``<mfenced>`` in it, itself included, written as
    ``<mo>`` operators: the opening one, the children separated by commas (or the fence's
    ``separators``), the closing one, in an ``<mrow>`` (in the enclosing one if the fence is its
    only child, as a tuple's or an absolute value's is).

    SymPy 1.12 wrote parentheses as ``<mfenced>``, which MathML Core leaves out and Chromium does
    not render (``a(1 - a)`` showed as ``a 1 - a``); SymPy 1.13 and later write these operators,
    so that chainrule's MathML is the same with either.

    Examples
    --------
    >>> from xml.dom.minidom import parseString
    >>> fenced = parseString('<mrow><mfenced open="|" close="|"><mi>x</mi></mfenced></mrow>')
    >>> _fences_as_operators(fenced.documentElement).toxml()
    '<mrow><mo>|</mo><mi>x</mi><mo>|</mo></mrow>'
    >>> fenced = parseString("<msup><mfenced><mi>x</mi><mi>y</mi></mfenced><mn>2</mn></msup>")
    >>> _fences_as_operators(fenced.documentElement).toxml()
    '<msup><mrow><mo>(</mo><mi>x</mi><mo>,</mo><mi>y</mi><mo>)</mo></mrow><mn>2</mn></msup>'
    """
    for fence in [element, *element.getElementsByTagName("mfenced")]:
        if fence.tagName != "mfenced":
            continue
        document, parent = fence.ownerDocument, fence.parentNode
        opening, closing = _attribute(fence, "open", "("), _attribute(fence, "close", ")")
        separators = "".join(_attribute(fence, "separators", ",").split())
        parts = [_operator(document, opening)]
        for number, child in enumerate(list(fence.childNodes)):
            if number and separators:  # the n-th separator, the last one repeated
                parts.append(_operator(document, separators[min(number, len(separators)) - 1]))
            parts.append(child)
        parts.append(_operator(document, closing))
        if fence is element:
            row = element = document.createElement("mrow")
        elif parent.tagName == "mrow" and len(parent.childNodes) == 1:
            row = parent
            row.removeChild(fence)
        else:
            row = document.createElement("mrow")
            parent.replaceChild(row, fence)
        for part in parts:
            row.appendChild(part)
    return element


def _attribute(element, name: str, default: str) -> str:
    """The value of the DOM `element`'s attribute `name`, or `default` if it has none."""
    return element.getAttribute(name) if element.hasAttribute(name) else default


def _operator(document, text: str):
    """An ``<mo>`` of `text`, made by the DOM `document`."""
    mo = document.createElement("mo")
    mo.appendChild(document.createTextNode(text))
    return mo


def as_product_factor(printer, formula: sp.Expr, open_: str, close: str) -> str:
    """A formula written as one factor of a product: sums and negative terms in parentheses."""
    text = printer.parenthesize(formula, PRECEDENCE["Mul"], strict=True)
    if formula.could_extract_minus_sign() and not text.startswith(open_):
        text = f"{open_}{text}{close}"
    return text
