"""The shape algebra: exact sizes, matrix shapes, and the few operations the matrix form uses.

The matrix form (docs/conventions.md, "The matrix form") writes backpropagation a layer at a
time: products, transposes, elementwise products ⊙ and sums of matrices whose rows are the m
examples. This module states their shapes once, exactly, so that every equation chainrule
prints is checked before it is printed, and a claim that does not fit is told which operands
fail and why, with their shapes: ``Θ^(2) δ^(3): (5×6)(m×5) does not multiply``.

- :class:`Dim` is one size: a whole number, a symbol (``m``, the number of examples) or a
  product of them, compared exactly (``m`` is never 5).
- :class:`Shape` is rows × columns; ``Shape.of(2, 3).T`` is 3×2.
- A matrix expression is a small tree of immutable records: :class:`Operand` (a named matrix
  with its shape), :class:`Ones` (a column of ones, for the sums over examples a bias needs),
  :class:`MatMul`, :class:`Hadamard` (⊙), :class:`Transpose` (ᵀ) and :class:`Sum`.
  :func:`shape_of` walks it and raises :class:`ShapeMismatch` at the first operation whose
  operands do not fit; :func:`written` writes it in a format (``text``, ``unicode``,
  ``latex``, or ``message``, the form of the error messages).

Nothing here imports anything beyond the standard library: the matrix view of 784-512-512-10
is printed without SymPy, networkx or numpy.

Examples
--------
>>> theta = Operand("Theta^(2)", "Θ⁽²⁾", r"\\Theta^{(2)}", Shape.of(5, 6))
>>> delta = Operand("delta^(3)", "δ⁽³⁾", r"\\delta^{(3)}", Shape.of("m", 5))
>>> print(shape_of(MatMul(delta, theta)))
m×6
>>> shape_of(MatMul(theta, delta))
Traceback (most recent call last):
...
chainrule.graph.shapes.ShapeMismatch: Θ^(2) δ^(3): (5×6)(m×5) does not multiply
>>> written(Transpose(delta), "text"), written(Transpose(delta), "unicode")
('(delta^(3))^T', '(δ⁽³⁾)ᵀ')
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from chainrule.errors import SpecError

# -- sizes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dim:
    """One size: ``factor`` times the product of ``symbols`` (kept sorted), compared exactly.

    Examples
    --------
    >>> Dim.of(6), Dim.of("m"), Dim.of(2) * Dim.of("m") * Dim.of(3)
    (Dim(6), Dim(m), Dim(6m))
    >>> Dim.of("m") == Dim.of(5), Dim.of(2) * Dim.of(3) == Dim.of(6)
    (False, True)
    >>> Dim.of("m").as_json(), Dim.of(784).as_json()
    ('m', 784)
    """

    factor: int = 1
    symbols: tuple[str, ...] = ()

    @classmethod
    def of(cls, value: int | str | Dim) -> Dim:
        """A size from a whole number, a symbol's name or a Dim."""
        if isinstance(value, Dim):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise SpecError(f"a size is never negative, not {value}")
            return cls(value)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", value):
            return cls(1, (value,))
        raise SpecError(f"a size is a whole number or a symbol such as m, not {value!r}")

    def __mul__(self, other: Dim) -> Dim:
        return Dim(self.factor * other.factor, tuple(sorted(self.symbols + other.symbols)))

    @property
    def known(self) -> bool:
        """Whether the size is a number (no symbol in it)."""
        return not self.symbols

    def __str__(self) -> str:
        if not self.symbols:
            return str(self.factor)
        coefficient = "" if self.factor == 1 else str(self.factor)
        return coefficient + "·".join(self.symbols)

    def latex(self) -> str:
        if not self.symbols:
            return str(self.factor)
        coefficient = "" if self.factor == 1 else str(self.factor)
        return coefficient + " ".join(self.symbols)

    def __repr__(self) -> str:
        return f"Dim({self})"

    def as_json(self) -> int | str:
        """A number as a number, anything with a symbol as its text (``"m"``)."""
        return self.factor if not self.symbols else str(self)


class Shape(NamedTuple):
    """``rows`` × ``cols``.

    Examples
    --------
    >>> shape = Shape.of("m", 3)
    >>> str(shape), str(shape.T), shape.written("text"), shape.written("latex")
    ('m×3', '3×m', 'mx3', 'm \\\\times 3')
    >>> shape.as_json(), Shape.of(2, 3).size
    (['m', 3], Dim(6))
    """

    rows: Dim
    cols: Dim

    @classmethod
    def of(cls, rows: int | str | Dim, cols: int | str | Dim) -> Shape:
        return cls(Dim.of(rows), Dim.of(cols))

    @property
    def T(self) -> Shape:
        return Shape(self.cols, self.rows)

    @property
    def size(self) -> Dim:
        """The number of entries."""
        return self.rows * self.cols

    def written(self, format: str = "unicode") -> str:
        if format == "latex":
            return rf"{self.rows.latex()} \times {self.cols.latex()}"
        return f"{self.rows}{_TOKENS[format].by}{self.cols}"

    def __str__(self) -> str:
        return self.written("unicode")

    def as_json(self) -> list[int | str]:
        return [self.rows.as_json(), self.cols.as_json()]


# -- matrix expressions -------------------------------------------------------------------------


class Operand(NamedTuple):
    """A named matrix: its text, unicode and LaTeX names, and its shape.

    `key` names the value it stands for when the expression is evaluated (a tensor's name,
    ``"f'(z^(2))"``...); it is the text name unless given.
    """

    text: str
    unicode: str
    latex: str
    shape: Shape
    key: str = ""

    @property
    def name(self) -> str:
        return self.key or self.text


class Ones(NamedTuple):
    """A column of `rows` ones: ``1ᵀ δ`` sums δ over its rows (the examples), as a bias needs."""

    rows: Dim

    @property
    def shape(self) -> Shape:
        return Shape(self.rows, Dim.of(1))


class MatMul(NamedTuple):
    """The matrix product ``left right``."""

    left: Expression
    right: Expression


class Hadamard(NamedTuple):
    """The elementwise product ``left ⊙ right`` of two matrices of one shape."""

    left: Expression
    right: Expression


class Transpose(NamedTuple):
    """``inner``ᵀ: rows become columns."""

    inner: Expression


class Sum(NamedTuple):
    """``terms[0] ± terms[1] ± ...``; `signs` holds +1 or -1 for each term (the first too).

    A row (1 × n, a bias) added to an m × n matrix is added to each of its rows: the one
    broadcast the matrix form uses, ``z = a Θᵀ + b``.
    """

    terms: tuple[Expression, ...]
    signs: tuple[int, ...] = ()

    def signed(self) -> Iterator[tuple[int, Expression]]:
        signs = self.signs or (1,) * len(self.terms)
        return zip(signs, self.terms)


Expression = Operand | Ones | MatMul | Hadamard | Transpose | Sum


def product(*factors: Expression) -> Expression:
    """The left-to-right matrix product of `factors`."""
    result = factors[0]
    for factor in factors[1:]:
        result = MatMul(result, factor)
    return result


def hadamard(*factors: Expression) -> Expression:
    result = factors[0]
    for factor in factors[1:]:
        result = Hadamard(result, factor)
    return result


# -- shapes of expressions ----------------------------------------------------------------------


class ShapeMismatch(SpecError):
    """Operands whose shapes do not fit their operation, named with their shapes.

    `operation` is ``multiply``, ``elementwise``, ``add`` or ``reshape``; `operands` their
    written forms (the message's); `shapes` their shapes; `fits` the rearrangements that would
    fit (for a product: ``swapped``, ``left transposed``, ``right transposed``, ``both
    transposed``), which ``check`` reads to tell a transposed or reordered operand from a wrong
    one.
    """

    def __init__(
        self,
        operation: str,
        operands: Sequence[str],
        shapes: Sequence[Shape],
        fits: Sequence[str] = (),
    ):
        self.operation = operation
        self.operands = tuple(operands)
        self.shapes = tuple(shapes)
        self.fits = tuple(fits)
        super().__init__(self._message())

    def _message(self) -> str:
        shown = "".join(f"({shape})" for shape in self.shapes)
        if self.operation == "multiply":
            return f"{' '.join(self.operands)}: {shown} does not multiply"
        if self.operation == "elementwise":
            return f"{' ⊙ '.join(self.operands)}: {' ⊙ '.join(map(str, self.shapes))} differ"
        if self.operation == "add":
            return f"{' + '.join(self.operands)}: {' + '.join(map(str, self.shapes))} differ"
        return f"{self.operands[0]}: {self.shapes[0]} has no room for {self.shapes[1]}"


def product_fits(left: Shape, right: Shape) -> tuple[str, ...]:
    """The rearrangements of a product ``left right`` whose shapes multiply.

    Examples
    --------
    >>> product_fits(Shape.of(5, 6), Shape.of("m", 5))
    ('swapped', 'both transposed')
    >>> product_fits(Shape.of(2, "m"), Shape.of("m", 3))
    ('as written',)
    """
    candidates = {
        "as written": (left, right),
        "swapped": (right, left),
        "left transposed": (left.T, right),
        "right transposed": (left, right.T),
        "both transposed": (left.T, right.T),
    }
    return tuple(name for name, (a, b) in candidates.items() if a.cols == b.rows)


def shape_of(expression: Expression) -> Shape:
    """The shape of `expression`; :class:`ShapeMismatch` names the first operation that fails.

    Examples
    --------
    >>> a = Operand("a^(2)", "a⁽²⁾", "a^{(2)}", Shape.of("m", 3))
    >>> b = Operand("b^(3)", "b⁽³⁾", "b^{(3)}", Shape.of(1, 3))
    >>> str(shape_of(Sum((a, b)))), str(shape_of(MatMul(Transpose(Ones(Dim.of("m"))), a)))
    ('m×3', '1×3')
    >>> shape_of(Hadamard(a, b))
    Traceback (most recent call last):
    ...
    chainrule.graph.shapes.ShapeMismatch: a^(2) ⊙ b^(3): m×3 ⊙ 1×3 differ
    """
    if isinstance(expression, (Operand, Ones)):
        return expression.shape
    if isinstance(expression, Transpose):
        return shape_of(expression.inner).T
    if isinstance(expression, MatMul):
        left, right = shape_of(expression.left), shape_of(expression.right)
        if left.cols != right.rows:
            raise ShapeMismatch(
                "multiply",
                [_operand_text(expression.left), _operand_text(expression.right)],
                [left, right],
                product_fits(left, right),
            )
        return Shape(left.rows, right.cols)
    if isinstance(expression, Hadamard):
        left, right = shape_of(expression.left), shape_of(expression.right)
        if left != right:
            raise ShapeMismatch(
                "elementwise",
                [_operand_text(expression.left), _operand_text(expression.right)],
                [left, right],
            )
        return left
    if isinstance(expression, Sum):
        shapes = [shape_of(term) for term in expression.terms]
        result = shapes[0]
        for shape in shapes[1:]:
            result = _added(result, shape, expression, shapes)
        return result
    raise TypeError(f"not a matrix expression: {expression!r}")


def _added(first: Shape, second: Shape, expression: Sum, shapes: list[Shape]) -> Shape:
    if first == second:
        return first
    # The one broadcast: a row (a bias) added to each row of a matrix with as many columns.
    if first.cols == second.cols and Dim.of(1) in (first.rows, second.rows):
        return first if second.rows == Dim.of(1) else second
    raise ShapeMismatch("add", [_operand_text(term) for term in expression.terms], shapes)


def check_reshape(name: str, given: Shape, wanted: Shape) -> Shape:
    """`wanted`, if a matrix of shape `given` has exactly its entries (a row of a Jacobian read
    as a matrix, entries row by row); else :class:`ShapeMismatch`.

    Examples
    --------
    >>> str(check_reshape("∂J/∂Θ⁽¹⁾", Shape.of(1, 6), Shape.of(2, 3)))
    '2×3'
    """
    if given.size != wanted.size:
        raise ShapeMismatch("reshape", [name], [given, wanted])
    return wanted


# -- writing expressions ------------------------------------------------------------------------


class _Tokens(NamedTuple):
    times: str
    odot: str
    top: str
    plus: str
    minus: str
    open: str
    close: str
    by: str
    one: str


_TOKENS = {
    "text": _Tokens(" ", " .* ", "^T", " + ", " - ", "(", ")", "x", "1"),
    "unicode": _Tokens(" ", " ⊙ ", "ᵀ", " + ", " - ", "(", ")", "×", "1"),
    "message": _Tokens(" ", " ⊙ ", "ᵀ", " + ", " - ", "(", ")", "×", "1"),
    "latex": _Tokens(
        " ", r" \odot ", r"^{\top}", " + ", " - ", r"\left(", r"\right)", r" \times ", r"\mathbf{1}"
    ),
}
FORMATS = tuple(_TOKENS)

_GREEK_IN_MESSAGES = (("Theta", "Θ"), ("theta", "θ"), ("delta", "δ"))


def message_name(text: str) -> str:
    """A text name as error messages write it: Greek letters, ASCII superscripts (``Θ^(2)``).

    Examples
    --------
    >>> message_name("Theta^(2)"), message_name("dJ/da^(3)")
    ('Θ^(2)', 'dJ/da^(3)')
    """
    for word, letter in _GREEK_IN_MESSAGES:
        text = re.sub(rf"\b{word}\b", letter, text)
    return text


def operand_name(operand: Operand, format: str) -> str:
    if format == "text":
        return operand.text
    if format == "unicode":
        return operand.unicode
    if format == "latex":
        return operand.latex
    return message_name(operand.text)


# Binding strength: a part binding less tightly than its context is parenthesised.
ATOM, PRODUCT, ELEMENTWISE, SUM = 3, 2, 1, 0


def binding_strength(expression: Expression) -> int:
    """How tightly `expression` binds (:data:`ATOM` tightest, :data:`SUM` loosest): a writer
    parenthesises a part that binds less tightly than its context.

    Examples
    --------
    >>> x = Operand("x", "x", "x", Shape.of("m", 2))
    >>> binding_strength(x) > binding_strength(MatMul(x, Transpose(x)))
    True
    """
    if isinstance(expression, Sum):
        return SUM
    if isinstance(expression, Hadamard):
        return ELEMENTWISE
    if isinstance(expression, MatMul):
        return PRODUCT
    return ATOM


def tokens(expression: Expression, format: str = "unicode") -> list[tuple[str, Shape | None]]:
    """`expression` written in `format` as pieces: each operand with its shape, each operator
    and parenthesis with None. Writers put a shape under its operand (text) or an under-brace
    (LaTeX) from these; :func:`written` joins them.

    Examples
    --------
    >>> delta = Operand("delta^(3)", "δ⁽³⁾", r"\\delta^{(3)}", Shape.of("m", 5))
    >>> theta = Operand("Theta^(2)", "Θ⁽²⁾", r"\\Theta^{(2)}", Shape.of(5, 6))
    >>> f = Operand("f'(z^(2))", "f′(z⁽²⁾)", r"f'\\left(z^{(2)}\\right)", Shape.of("m", 6))
    >>> [text for text, _ in tokens(Hadamard(MatMul(delta, theta), f), "text")]
    ['(', 'delta^(3)', ' ', 'Theta^(2)', ')', ' .* ', "f'(z^(2))"]
    """
    marks = _TOKENS[format]
    pieces: list[tuple[str, Shape | None]] = []

    def part(expression: Expression, context: int, always_group: bool = False) -> None:
        group = always_group or binding_strength(expression) < context
        if group:
            pieces.append((marks.open, None))
        walk(expression)
        if group:
            pieces.append((marks.close, None))

    def walk(expression: Expression) -> None:
        if isinstance(expression, Operand):
            pieces.append((operand_name(expression, format), expression.shape))
        elif isinstance(expression, Ones):
            pieces.append((marks.one, expression.shape))
        elif isinstance(expression, Transpose):
            inner = expression.inner
            # A name with a superscript or a subscript reads better parenthesised before its
            # ᵀ: (δ^(2))ᵀ, (δ_z)ᵀ; a plain name does not: xᵀ.
            grouped = binding_strength(inner) < ATOM or (
                isinstance(inner, Operand) and not inner.text.isalnum()
            )
            part(inner, ATOM, always_group=grouped)
            pieces.append((marks.top, None))
        elif isinstance(expression, MatMul):
            part(expression.left, PRODUCT)
            pieces.append((marks.times, None))
            part(expression.right, PRODUCT + 1)
        elif isinstance(expression, Hadamard):
            # A product beside ⊙ is parenthesised, as the matrix form is written by hand:
            # (δ^(3) Θ^(2)) ⊙ f'(z^(2)).
            part(expression.left, ATOM if isinstance(expression.left, MatMul) else ELEMENTWISE)
            pieces.append((marks.odot, None))
            part(expression.right, ATOM)
        elif isinstance(expression, Sum):
            for number, (sign, term) in enumerate(expression.signed()):
                if number:
                    pieces.append((marks.plus if sign > 0 else marks.minus, None))
                elif sign < 0:
                    pieces.append((marks.minus.strip(), None))
                part(term, SUM + 1 if number and sign < 0 else SUM)
        else:
            raise TypeError(f"not a matrix expression: {expression!r}")

    walk(expression)
    return pieces


def written(expression: Expression, format: str = "unicode") -> str:
    """`expression` in `format`: ``text``, ``unicode``, ``latex`` or ``message``."""
    return "".join(text for text, _ in tokens(expression, format))


def _operand_text(expression: Expression) -> str:
    text = written(expression, "message")
    return text if binding_strength(expression) == ATOM else f"({text})"
