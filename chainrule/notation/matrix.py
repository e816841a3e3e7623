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

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from chainrule.graph.shapes import Shape, tokens

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
    top, bottom = "", ""
    for text, shape in pieces:
        if shape is None:
            top += text
            continue
        column = max(len(top), len(bottom) + 1 if bottom else 0)
        top, bottom = top.ljust(column), bottom.ljust(column)
        top += text
        bottom += written(shape)
    return [top.rstrip(), bottom.rstrip()]


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
        pieces = self.equation_pieces(equation)
        return [self._braced(pieces[:1]) + " &= " + self._braced(pieces[2:])]


FORMATS: dict[str, type[MatrixNotation]] = {
    "text": TextMatrix,
    "unicode": UnicodeMatrix,
    "latex": LatexMatrix,
}


def matrix_notation_for(format: str) -> MatrixNotation:
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}")
    return FORMATS[format]()
