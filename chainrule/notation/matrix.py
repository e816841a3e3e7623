"""The matrix form written out: layer-level chains and batch equations, each operand's shape
under it, one class per format.

Text and unicode put a line of shapes under each line of operands, each shape under its
operand; LaTeX puts each operand in an ``\\underbrace`` with its shape below (standard LaTeX
that KaTeX and MathJax render). The records come from :mod:`chainrule.calculus.matrix`; the
expressions are written by the shape algebra's writer (:func:`chainrule.graph.shapes.tokens`),
so a printed equation is the one whose shapes were checked.

Examples
--------
>>> from chainrule.calculus.matrix import batch_form, iter_matrix_chains
>>> from chainrule.graph.layers import network_layers
>>> from chainrule.graph.spec import Network
>>> view = network_layers(Network([3, 2]))
>>> (chain,) = iter_matrix_chains(view, "Theta^(1)")
>>> print("\\n".join(matrix_notation_for("text").chain(chain)))
dJ/da^(2) * da^(2)/dz^(2) * dz^(2)/dTheta^(1)
1x2         2x2             2x6
>>> (equation,) = batch_form(view, "Theta^(1)")[-1:]
>>> print("\\n".join(matrix_notation_for("unicode").equation(equation)))
∂J/∂Θ⁽¹⁾ = (δ⁽²⁾)ᵀ x
2×3         m×2   m×3
>>> matrix_notation_for("latex").equation(equation)[0]
'\\\\underbrace{\\\\frac{\\\\partial J}{\\\\partial \\\\Theta^{(1)}}}_{2 \\\\times 3} &= \
\\\\left(\\\\underbrace{\\\\delta^{(2)}}_{m \\\\times 2}\\\\right)^{\\\\top} \
\\\\underbrace{x}_{m \\\\times 3}'
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from chainrule.graph.shapes import (
    ATOM,
    ELEMENTWISE,
    PRODUCT,
    SUM,
    Expression,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Shape,
    Sum,
    Transpose,
    binding_strength,
    tokens,
)

if TYPE_CHECKING:
    from chainrule.calculus.matrix import BatchEquation, MatrixChain
    from chainrule.graph.layers import Tensor

Pieces = list[tuple[str, "Shape | None"]]


class MatrixNotation:
    """How one format writes layer-level chains and batch equations with their shapes."""

    format: ClassVar[str]
    #: Between the factors of a chain.
    times: ClassVar[str]

    def shape(self, shape: Shape) -> str:
        return shape.written(self.format)

    def name(self, tensor: Tensor) -> str:
        return tensor.name

    def chain_pieces(self, chain: MatrixChain) -> Pieces:
        pieces: Pieces = []
        for number, factor in enumerate(chain):
            if number:
                pieces.append((self.times, None))
            pieces.append((self._operand(factor.operand), factor.shape))
        return pieces

    def equation_pieces(self, equation: BatchEquation) -> Pieces:
        lhs = self._operand(equation.lhs)
        return [(lhs, equation.lhs.shape), (" = ", None), *tokens(equation.rhs, self.format)]

    def _operand(self, operand) -> str:
        return {"text": operand.text, "unicode": operand.unicode, "latex": operand.latex}[
            self.format
        ]

    def chain(self, chain: MatrixChain) -> list[str]:
        raise NotImplementedError

    def equation(self, equation: BatchEquation) -> list[str]:
        """The lines of one equation (text: the equation and its shapes; LaTeX: one line of an
        ``aligned`` block)."""
        raise NotImplementedError

    def sides(self, equation: BatchEquation) -> tuple[str, str]:
        """The left and the right side, for a document's aligned equations (LaTeX, MathML)."""
        raise NotImplementedError

    def gradient_lhs(self, tensor: Tensor) -> str:
        """∂J/∂tensor, for a document's aligned equations (LaTeX, MathML)."""
        raise NotImplementedError


def under(pieces: Sequence[tuple[str, Shape | None]], written) -> list[str]:
    """Two lines: the pieces, and each operand's shape under it. Each operand starts where its
    shape does (after a space at least, when the shape before it is wider than its operand),
    so a mark after an operand (ᵀ, a parenthesis) stays beside it.

    Examples
    --------
    >>> from chainrule.graph.shapes import Shape
    >>> print("\\n".join(under([("1", Shape.of("m", 1)), ("ᵀ ", None), ("δ", Shape.of("m", 2))],
    ...                        lambda shape: shape.written("unicode"))))
    1ᵀ  δ
    m×1 m×2
    """
    top, bottom, opening = "", "", ""
    for text, shape in pieces:
        if shape is None:
            # Opening parentheses wait for their operand, so that room made for a wide shape
            # goes before them: "x (Θ⁽¹⁾)ᵀ", not "x ( Θ⁽¹⁾)ᵀ".
            if text.strip() == "(":
                opening += text
            else:
                top, opening = top + opening + text, ""
            continue
        column = max(len(top) + len(opening), len(bottom) + 1 if bottom else 0)
        top = top.ljust(column - len(opening)) + opening
        bottom = bottom.ljust(column)
        top, opening = top + text, ""
        bottom += written(shape)
    return [(top + opening).rstrip(), bottom.rstrip()]


class TextMatrix(MatrixNotation):
    """ASCII: ``*`` between factors, ``.*`` for ⊙, ``^T``, shapes as ``mx2``."""

    format = "text"
    times = " * "

    def chain(self, chain: MatrixChain) -> list[str]:
        return under(self.chain_pieces(chain), self.shape)

    def equation(self, equation: BatchEquation) -> list[str]:
        return under(self.equation_pieces(equation), self.shape)


class UnicodeMatrix(TextMatrix):
    """Unicode: ``·`` between factors, ⊙, ᵀ, Greek letters, shapes as ``m×2``."""

    format = "unicode"
    times = " · "

    def name(self, tensor: Tensor) -> str:
        return tensor.unicode


class LatexMatrix(MatrixNotation):
    """LaTeX: each operand in an ``\\underbrace`` with its shape; factors juxtaposed."""

    format = "latex"
    times = " "

    def name(self, tensor: Tensor) -> str:
        return tensor.latex

    def _braced(self, pieces: Pieces) -> str:
        return "".join(
            text if shape is None else rf"\underbrace{{{text}}}_{{{self.shape(shape)}}}"
            for text, shape in pieces
        )

    def chain(self, chain: MatrixChain) -> list[str]:
        return [self._braced(self.chain_pieces(chain))]

    def equation(self, equation: BatchEquation) -> list[str]:
        """``lhs &= rhs``, a line of an ``aligned`` block."""
        lhs, rhs = self.sides(equation)
        return [f"{lhs} &= {rhs}"]

    def sides(self, equation: BatchEquation) -> tuple[str, str]:
        """The left and the right side, each operand under-braced with its shape."""
        pieces = self.equation_pieces(equation)
        return self._braced(pieces[:1]), self._braced(pieces[2:])

    def gradient_lhs(self, tensor: Tensor) -> str:
        return rf"\frac{{\partial J}}{{\partial {tensor.latex}}}"


# -- MathML --------------------------------------------------------------------------------------

#: A name as the matrix view writes it: a stem, subscripts after underscores, a layer.
_NAME = r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*(?:\^\([0-9]+\))?"
#: One piece of an operand's text: a partial ∂of/∂wrt, a name, a number, or one mark.
_PIECE = re.compile(
    rf"d(?P<of>{_NAME})/d(?P<wrt>{_NAME})(?![A-Za-z0-9_^])|(?P<name>{_NAME})|(?P<number>[0-9]+)"
    r"|(?P<mark>\.\*|\./|\S)"
)
_PARTS = re.compile(
    r"(?P<stem>[A-Za-z][A-Za-z0-9]*)(?P<sub>(?:_[A-Za-z0-9]+)*)(?:\^\((?P<layer>[0-9]+)\))?"
)
_GREEK = {"Theta": "&#x398;", "theta": "&#x3B8;", "delta": "&#x3B4;", "sigma": "&#x3C3;"}
_MARKS = {".*": "&#x2299;", "./": "&#x2298;", "'": "&#x2032;", "-": "&#x2212;"}


def mathml_name(text: str) -> str:
    """A tensor's text name in presentation MathML: Greek stems as letters, the layer as a
    superscript in parentheses, what follows an underscore as a subscript.

    Examples
    --------
    >>> mathml_name("Theta^(2)")
    '<msup><mi>&#x398;</mi><mrow><mo>(</mo><mn>2</mn><mo>)</mo></mrow></msup>'
    >>> mathml_name("delta_z^(2)")
    '<msubsup><mi>&#x3B4;</mi><mi>z</mi><mrow><mo>(</mo><mn>2</mn><mo>)</mo></mrow></msubsup>'
    """
    match = _PARTS.fullmatch(text)
    if match is None:
        return f"<mi>{html.escape(text)}</mi>"
    stem = _GREEK.get(match["stem"], html.escape(match["stem"]))
    base = f"<mi>{stem}</mi>"
    sub = match["sub"][1:]
    layer = match["layer"]
    script = f"<mrow><mo>(</mo><mn>{layer}</mn><mo>)</mo></mrow>" if layer else ""
    if sub and layer:
        return f"<msubsup>{base}<mi>{html.escape(sub)}</mi>{script}</msubsup>"
    if sub:
        return f"<msub>{base}<mi>{html.escape(sub)}</mi></msub>"
    if layer:
        return f"<msup>{base}{script}</msup>"
    return base


def mathml_operand(text: str) -> str:
    """An operand's text (a name, ``dJ/da^(3)``, ``f'(z^(2))``, the cost's ``(a^(3) - y)/m``)
    in presentation MathML, piece by piece.

    Examples
    --------
    >>> mathml_operand("dJ/da^(3)")  # doctest: +ELLIPSIS
    '<mrow><mfrac><mrow><mo>&#x2202;</mo><mi>J</mi></mrow><mrow><mo>&#x2202;</mo><msup>...'
    >>> mathml_operand("f'(x)")
    '<mrow><mi>f</mi><mo>&#x2032;</mo><mo>(</mo><mi>x</mi><mo>)</mo></mrow>'
    """
    parts = []
    for match in _PIECE.finditer(text):
        if match["of"]:
            of, wrt = mathml_name(match["of"]), mathml_name(match["wrt"])
            parts.append(
                f"<mfrac><mrow><mo>&#x2202;</mo>{of}</mrow><mrow><mo>&#x2202;</mo>{wrt}</mrow></mfrac>"
            )
        elif match["name"]:
            parts.append(mathml_name(match["name"]))
        elif match["number"]:
            parts.append(f"<mn>{match['number']}</mn>")
        else:
            mark = match["mark"]
            parts.append(f"<mo>{_MARKS.get(mark, html.escape(mark))}</mo>")
    return "<mrow>" + "".join(parts) + "</mrow>"


def mathml_shape(shape: Shape) -> str:
    def size(dim) -> str:
        return f"<mn>{dim}</mn>" if dim.known else f"<mi>{html.escape(str(dim))}</mi>"

    return f"<mrow>{size(shape.rows)}<mo>&#xD7;</mo>{size(shape.cols)}</mrow>"


def _under(inside: str, shape: Shape) -> str:
    """An operand with its shape written under it (MathML's under-script, a size smaller)."""
    return f"<munder>{inside}{mathml_shape(shape)}</munder>"


def mathml_expression(expression: Expression) -> str:
    """A matrix expression in presentation MathML, each operand's shape under it,
    parenthesised as :func:`~chainrule.graph.shapes.written` writes it.

    Examples
    --------
    >>> delta = Operand("delta^(2)", "δ⁽²⁾", r"\\delta^{(2)}", Shape.of("m", 3))
    >>> x = Operand("x", "x", "x", Shape.of("m", 2))
    >>> mathml_expression(MatMul(Transpose(delta), x)).count("<munder>")
    2
    """

    def grouped(inside: str) -> str:
        return f"<mrow><mo>(</mo>{inside}<mo>)</mo></mrow>"

    def part(expression: Expression, context: int, always: bool = False) -> str:
        inside = walk(expression)
        return grouped(inside) if always or binding_strength(expression) < context else inside

    def walk(expression: Expression) -> str:
        if isinstance(expression, Operand):
            return _under(mathml_operand(expression.text), expression.shape)
        if isinstance(expression, Ones):
            return _under('<mn mathvariant="bold">1</mn>', expression.shape)
        if isinstance(expression, Transpose):
            inner = expression.inner
            always = binding_strength(inner) < ATOM or (
                isinstance(inner, Operand) and not inner.text.isalnum()
            )
            return f"<msup>{part(inner, ATOM, always)}<mi>T</mi></msup>"
        if isinstance(expression, MatMul):
            left = part(expression.left, PRODUCT)
            return f"{left}<mo>&#x2062;</mo>{part(expression.right, PRODUCT + 1)}"
        if isinstance(expression, Hadamard):
            context = ATOM if isinstance(expression.left, MatMul) else ELEMENTWISE
            left = part(expression.left, context)
            return f"{left}<mo>&#x2299;</mo>{part(expression.right, ATOM)}"
        if isinstance(expression, Sum):
            written = ""
            for number, (sign, term) in enumerate(expression.signed()):
                if number or sign < 0:
                    written += "<mo>+</mo>" if sign > 0 else "<mo>&#x2212;</mo>"
                written += part(term, SUM + 1 if number and sign < 0 else SUM)
            return written
        raise TypeError(f"not a matrix expression: {expression!r}")

    return "<mrow>" + walk(expression) + "</mrow>"


class MathMLMatrix(MatrixNotation):
    """Presentation MathML: each operand with its shape under it (``<munder>``); a chain's
    factors juxtaposed, ⊙ and ᵀ as written by hand."""

    format = "mathml"
    times = "<mo>&#x2062;</mo>"

    def chain(self, chain: MatrixChain) -> list[str]:
        factors = [_under(mathml_operand(factor.text), factor.shape) for factor in chain]
        return ["<mrow>" + self.times.join(factors) + "</mrow>"]

    def equation(self, equation: BatchEquation) -> list[str]:
        """Two pieces: the left side with its shape under it, and the right side."""
        return list(self.sides(equation))

    def sides(self, equation: BatchEquation) -> tuple[str, str]:
        """The left side with its shape under it, and the right side."""
        lhs = _under(mathml_operand(equation.lhs.text), equation.lhs.shape)
        return lhs, mathml_expression(equation.rhs)

    def gradient_lhs(self, tensor: Tensor) -> str:
        return mathml_operand(f"dJ/d{tensor.name}")


FORMATS: dict[str, type[MatrixNotation]] = {
    "text": TextMatrix,
    "unicode": UnicodeMatrix,
    "latex": LatexMatrix,
    "mathml": MathMLMatrix,
}


def matrix_notation_for(format: str) -> MatrixNotation:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[format]()
