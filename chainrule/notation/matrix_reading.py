r"""Reading a claim in the matrix form, ``delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))``.

A matrix claim is about a whole tensor of a layered network: a δ^(l) (all its neurons, a row
per example) or a gradient ∂J/∂Θ^(l), ∂J/∂b^(l), ∂J/∂x. It is read, as every claim is, by the
expression core's plumbing (:class:`chainrule.graph.expression.ExpressionReader`: its limits,
its messages; no ``eval``, no ``sympify``) into a small tree of its own (:class:`Leaf`,
:class:`Scalar`, :class:`Product`, :class:`Elementwise`, :class:`Transposed`, :class:`Added`),
whose products keep their order: the shape algebra and the judge
(:mod:`chainrule.verification.matrix_claims`) read it. The grammar::

    claim      := quantity "=" sum
    quantity   := δ layer | partial          (∂J/∂Θ^(l), dJ/db^(l), \frac{\partial J}{\partial x})
    sum        := ["-"] elementwise (("+" | "-") elementwise)*
    elementwise:= product ((".*" | "⊙" | "\odot" | "\circ" | "∘") product)*
    product    := postfix (("*" | "·" | "\cdot" | "\times" | "@" | implicit | "/") postfix)*
    postfix    := atom ("^T" | "^{T}" | "^\top" | "^{\top}" | "ᵀ" | "'")*
    atom       := number | "m" | name | partial | f' "(" z^(l) ")" | "1" (a column of ones)
                | "(" sum ")" | "[" sum "]" | "{" sum "}" | \frac{sum}{sum}

Names: ``x`` (``X``, ``a^(1)``), ``z^(l)``, ``a^(l)``, ``Theta^(l)`` (``Θ``, ``\Theta``),
``b^(l)``, ``delta^(l)`` (``δ``, ``\delta``), ``y`` (``Y``); a layer is ``^(l)``, ``^{(l)}``,
``⁽ˡ⁾`` or ``^[l]``. The activation's derivative is ``f'``, ``g'``, ``σ'``, ``\sigma'`` or an
activation's name with a prime, applied to ``z^(l)``. ``.*`` and ⊙ bind less tightly than a
matrix product, as hand derivations write δ^(l) = δ^(l+1) Θ^(l) ⊙ f'(z^(l)).

Examples
--------
>>> claim = read_matrix_claim("delta^(2) = delta^(3) Theta^(2) .* f'(z^(2))", 3)
>>> claim.quantity, claim.lhs
('delta^(2)', 'delta:z^(2)')
>>> written(claim.rhs)
"(delta^(3) Theta^(2)) .* f'(z^(2))"
>>> written(read_matrix_claim(r"\frac{\partial J}{\partial \Theta^{(1)}} = "
...                           r"\left(\delta^{(2)}\right)^\top x", 3).rhs)
'(delta^(2))^T x'
>>> looks_like_matrix_claim("dJ/dtheta^(1)_11 = delta^(2)_1 * x_1")
False
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from chainrule.errors import SpecError
from chainrule.graph.expression import NUMBER, ExpressionReader

# -- the tree -------------------------------------------------------------------------------


class Leaf(NamedTuple):
    """A named matrix by its key: a tensor (``Theta^(2)``, ``a^(2)``, ``x``, ``y``), a δ
    (``delta:z^(2)``), an activation's derivative (``f':z^(2)``), the cost's gradient
    (``dJ:a^(3)``), or ``ones`` (a column of ones)."""

    key: str


class Scalar(NamedTuple):
    """A number times m to a power: ``1/m`` is Scalar(1, -1)."""

    value: Fraction
    m_power: int = 0


class Product(NamedTuple):
    left: object
    right: object


class Elementwise(NamedTuple):
    left: object
    right: object


class Transposed(NamedTuple):
    inner: object


class Added(NamedTuple):
    """``terms[0] ± terms[1] ± ...``, each sign +1 or -1."""

    terms: tuple
    signs: tuple


class MatrixClaim(NamedTuple):
    """A matrix claim read: the quantity as chainrule names it, its key (``delta:z^(2)``,
    ``gradient:Theta^(1)``) and the right-hand side."""

    quantity: str
    lhs: str
    rhs: object


# -- spellings ----------------------------------------------------------------------------------

_STEMS = {
    "Theta": "Theta",
    "Θ": "Theta",
    r"\Theta": "Theta",
    "theta": "Theta",
    "θ": "Theta",
    r"\theta": "Theta",
    "delta": "delta",
    "δ": "delta",
    r"\delta": "delta",
    "x": "x",
    "X": "x",
    "y": "y",
    "Y": "y",
    "a": "a",
    "z": "z",
    "b": "b",
}
_STEM = re.compile(r"\\Theta|\\theta|\\delta|Theta|theta|delta|[ΘθδxXyYazb](?![A-Za-z])")
_LAYER = re.compile(
    r"\^\s*(?:\(\s*(\d+)\s*\)|\{\s*\(\s*(\d+)\s*\)\s*\}|\[\s*(\d+)\s*\]|\{\s*\[\s*(\d+)\s*\]\s*\})"
    r"|([⁽][⁰¹²³⁴⁵⁶⁷⁸⁹]+[⁾])"
)
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", "0123456789  ")
_DERIVATIVE = re.compile(
    r"(?:\\sigma|σ|sigma|sigmoid|tanh|\\tanh|relu|ReLU|softplus|f|g|h)\s*(?:'|′|\^\{?\s*\\prime\s*\}?)"
)
_TRANSPOSE = re.compile(
    r"\^\s*(?:T\b|\{\s*T\s*\}|\\top\b|\{\s*\\top\s*\}|\\intercal\b|\{\s*\\intercal\s*\})|ᵀ|'"
)
_HADAMARD = re.compile(r"\.\*|⊙|∘|\\odot\b|\\circ\b")
_TIMES = re.compile(r"\*(?!\*)|·|⋅|@|\\cdot\b|\\times\b")
_PARTIAL = re.compile(
    r"(?:d|∂|\\partial\s*)\s*J\s*/\s*(?:d|∂|\\partial\s*)\s*"
    r"|\\frac\s*\{\s*(?:d|\\partial)\s*J\s*\}\s*\{\s*(?:d|\\partial)\s*"
)
_ONES = re.compile(r"\\mathbf\s*\{\s*1\s*\}|\\mathbb\s*\{\s*1\s*\}|1(?=\s*(?:\^|ᵀ))|𝟏")
#: Layout that carries no mathematics.
_LAYOUT = re.compile(
    r"(?:\s|\$|&|\\\\|\\[,;:! ]|\\q?quad\b|\\displaystyle\b|\\left\b|\\right\b|\\big[lr]?\b"
    r"|\\Big[lr]?\b|\\(?:begin|end)\{aligned\*?\})+"
)


def looks_like_matrix_claim(text: str) -> bool:
    """Whether a claim's left side names a whole tensor of a layered network: δ^(l) with no
    neuron index, or ∂J/∂ a Θ, b or x with none (a scalar claim names θ^(l)_jk, δ^(l)_j).

    Examples
    --------
    >>> looks_like_matrix_claim(r"\\delta^{(2)} = (\\Theta^{(2)})^T \\delta^{(3)}")
    True
    >>> looks_like_matrix_claim("delta^(2)_1 = 0"), looks_like_matrix_claim("dJ/dTheta^(1) = 0")
    (False, True)
    """
    if not isinstance(text, str) or "=" not in text:
        return False
    lhs = _LAYOUT.sub(" ", text.split("=", 1)[0]).strip()
    partial = _PARTIAL.match(lhs)
    rest = lhs[partial.end() :] if partial else lhs
    stem = _STEM.match(rest.strip())
    if stem is None:
        return False
    meaning = _STEMS[stem.group()]
    if partial is None and meaning != "delta":
        return False
    after = rest.strip()[stem.end() :]
    layer = _LAYER.match(after.strip())
    tail = after.strip()[layer.end() :] if layer else after.strip()
    tail = re.sub(r"^\}", "", tail.strip()).strip()  # the brace that closes \partial \Theta^{(1)}}
    if meaning == "delta" and layer is None:
        return False
    return tail == "" and (meaning != "Theta" or stem.group()[0] in "TΘ\\")


# -- the reader ---------------------------------------------------------------------------------


class _Reader(ExpressionReader):
    noun = "claim"
    layout = _LAYOUT
    atom_expected = (
        "a matrix name (x, z^(l), a^(l), Theta^(l), b^(l), delta^(l), y), f'(z^(l)), a number "
        "or '('"
    )

    def __init__(self, text: str, depth: int):
        super().__init__(text)
        self.depth_of_network = depth

    def claim(self) -> MatrixClaim:
        def parse() -> MatrixClaim:
            quantity, lhs = self.quantity()
            self.expect("=", "'='")
            rhs = self.matrix_sum()
            self.finish("an operator or the end of the claim")
            return MatrixClaim(quantity, lhs, rhs)

        return self.guarded(parse)

    # -- names --------------------------------------------------------------------------------

    def layer(self, required: bool = True) -> int | None:
        match = self.accept(_LAYER)
        if match is None:
            if required:
                raise self.expected("a layer, e.g. ^(2)")
            return None
        digits = next(group for group in match.groups() if group)
        return int(digits.translate(_SUPERSCRIPT_DIGITS).strip())

    def checked_layer(self, stem: str, layer: int, where: int) -> int:
        lowest, highest = {
            "Theta": (1, self.depth_of_network - 1),
            "b": (2, self.depth_of_network),
            "delta": (2, self.depth_of_network),
            "z": (2, self.depth_of_network),
            "a": (1, self.depth_of_network),
        }[stem]
        if not lowest <= layer <= highest:
            raise self.error(
                f"no {stem}^({layer}) at position {where}: a network of "
                f"{self.depth_of_network} layers has {stem}^({lowest}) to {stem}^({highest})"
            )
        return layer

    def tensor(self) -> tuple[str, str] | None:
        """A tensor's name: (its key, the stem) or None if no stem is here."""
        where = self.here()
        match = self.accept(_STEM)
        if match is None:
            return None
        stem = _STEMS[match.group()]
        if stem in ("x", "y"):
            return stem, stem
        written = self.layer()
        assert written is not None  # required: a missing layer raised
        layer = self.checked_layer(stem, written, where)
        if stem == "a" and layer == 1:
            return "x", "x"
        if stem == "delta":
            return f"delta:z^({layer})", stem
        return f"{stem}^({layer})", stem

    def quantity(self) -> tuple[str, str]:
        where = self.here()
        if self.accept(_PARTIAL):
            found = self.tensor()
            if found is None or found[1] not in ("Theta", "b", "x", "z"):
                raise self.error(
                    f"a matrix claim's partial at position {where} is dJ/dTheta^(l), dJ/db^(l) "
                    "or dJ/dx"
                )
            self.accept("}")
            key, stem = found
            if stem == "z":  # dJ/dz^(l) is δ^(l)
                return "delta" + key[1:], f"delta:{key}"
            return f"dJ/d{key}", f"gradient:{key}"
        found = self.tensor()
        if found is None or found[1] != "delta":
            raise self.error("a matrix claim starts with delta^(l) = or dJ/dTheta^(l) =")
        key = found[0]
        return "delta" + key.removeprefix("delta:z"), key

    # -- the grammar ----------------------------------------------------------------------------

    def matrix_sum(self) -> object:
        terms, signs = [], []
        sign = -1 if self.accept(re.compile(r"-|−")) else 1
        while True:
            terms.append(self.nested(self.matrix_elementwise))
            signs.append(sign)
            operator = self.accept(re.compile(r"\+|-|−"))
            if not operator:
                break
            sign = 1 if operator.group() == "+" else -1
        if len(terms) == 1 and signs[0] == 1:
            return terms[0]
        return Added(tuple(terms), tuple(signs))

    def matrix_elementwise(self) -> object:
        result = self.matrix_product()
        while self.accept(_HADAMARD):
            result = Elementwise(result, self.matrix_product())
        return result

    def matrix_product(self) -> object:
        result = self.matrix_postfix()
        while True:
            if self.accept(_TIMES):
                result = Product(result, self.matrix_postfix())
            elif self.at(re.compile(r"/(?!\s*d)")) and self.accept("/"):
                divisor = self.matrix_postfix()
                if not isinstance(divisor, Scalar) or divisor.value == 0:
                    raise self.error("a matrix claim divides by a number or m only")
                result = Product(result, Scalar(1 / divisor.value, -divisor.m_power))
            elif self.implicit():
                result = Product(result, self.matrix_postfix())
            else:
                return result

    def implicit(self) -> bool:
        """Whether what follows starts another factor of a product written by juxtaposition."""
        if self.here() >= len(self.text):
            return False
        return bool(
            self.at(_STEM)
            or self.at(_PARTIAL)
            or self.at(_DERIVATIVE)
            or self.at(re.compile(r"[(\[{]|\\frac\b|\\mathbf|\\mathbb|m(?![A-Za-z])|𝟏|\d"))
        )

    def matrix_postfix(self) -> object:
        result = self.nested(self.matrix_atom)
        while self.accept(_TRANSPOSE):
            result = Transposed(result)
        return result

    def matrix_atom(self) -> object:
        where = self.here()
        if self.accept(_ONES):
            return Leaf("ones")
        number = self.accept(NUMBER)
        if number:
            try:
                return Scalar(Fraction(number.group()))
            except (ValueError, ZeroDivisionError):
                raise self.error(f"a number at position {where} too large to read") from None
        if self.accept(re.compile(r"m(?![A-Za-z])")):
            return Scalar(Fraction(1), 1)
        if self.accept(re.compile(r"\\frac\s*\{")):
            numerator = self.matrix_sum()
            self.expect("}")
            self.expect("{")
            denominator = self.matrix_sum()
            self.expect("}")
            if not isinstance(denominator, Scalar) or denominator.value == 0:
                raise self.error("a matrix claim divides by a number or m only")
            return Product(numerator, Scalar(1 / denominator.value, -denominator.m_power))
        for opening, closing in (("(", ")"), ("[", "]"), ("{", "}")):
            if self.accept(opening):
                inside = self.matrix_sum()
                self.expect(closing)
                return inside
        if self.accept(_DERIVATIVE):
            self.expect("(")
            inside = self.tensor()
            if inside is None or inside[1] != "z":
                raise self.error(f"f' at position {where} is applied to z^(l)")
            self.expect(")")
            return Leaf(f"f':{inside[0]}")
        if self.accept(_PARTIAL):
            found = self.tensor()
            self.accept("}")
            if found is None or found[1] not in ("a", "z"):
                raise self.error(f"a partial at position {where} is dJ/da^(l) or dJ/dz^(l)")
            if found[1] == "z":
                return Leaf(f"delta:{found[0]}")
            return Leaf(f"dJ:{found[0]}")
        found = self.tensor()
        if found is not None:
            return Leaf(found[0])
        raise self.expected(self.atom_expected)


def read_matrix_claim(text: str, depth: int) -> MatrixClaim:
    """A matrix claim about a layered network of `depth` layers; a SpecError names what could
    not be read and where."""
    if not isinstance(text, str):
        raise SpecError(f"a claim must be text, not {type(text).__name__}")
    return _Reader(text, depth).claim()


# -- writing the tree back ----------------------------------------------------------------------

_NAMES = {
    "text": {"delta": "delta", "Theta": "Theta", "top": "^T", "odot": " .* ", "prime": "f'"},
    "unicode": {"delta": "δ", "Theta": "Θ", "top": "ᵀ", "odot": " ⊙ ", "prime": "f′"},
    "latex": {
        "delta": r"\delta",
        "Theta": r"\Theta",
        "top": r"^{\top}",
        "odot": r" \odot ",
        "prime": "f'",
    },
}


def leaf_name(key: str, format: str = "text") -> str:
    """A leaf's name as chainrule writes it.

    Examples
    --------
    >>> leaf_name("delta:z^(3)"), leaf_name("f':z^(2)", "unicode"), leaf_name("Theta^(1)", "latex")
    ('delta^(3)', 'f′(z^(2))', '\\\\Theta^{(1)}')
    """
    names = _NAMES[format]

    def tensor(name: str) -> str:
        stem, _, layer = name.partition("^")
        stem = names.get(stem, stem)
        if format == "latex" and layer:
            return f"{stem}^{{{layer}}}"
        return f"{stem}^{layer}" if layer else stem

    if key.startswith("ones"):
        return r"\mathbf{1}" if format == "latex" else "1"
    kind, _, name = key.partition(":")
    if not name:
        return tensor(kind)
    if kind == "delta":
        return tensor("delta" + name[1:])
    if kind == "f'":
        inner = tensor(name)
        return rf"f'\left({inner}\right)" if format == "latex" else f"{names['prime']}({inner})"
    if kind == "dJ":
        if format == "latex":
            return rf"\frac{{\partial J}}{{\partial {tensor(name)}}}"
        return f"dJ/d{tensor(name)}" if format == "text" else f"∂J/∂{tensor(name)}"
    return key


_ATOM, _PRODUCT, _ELEMENTWISE, _SUM = 3, 2, 1, 0


def _binding(node: object) -> int:
    if isinstance(node, Added):
        return _SUM
    if isinstance(node, Elementwise):
        return _ELEMENTWISE
    if isinstance(node, Product):
        return _PRODUCT
    return _ATOM


def _scalar(node: Scalar, format: str) -> str:
    value = node.value
    number = str(value.numerator) if value.denominator == 1 else f"{value}"
    if node.m_power == 0:
        return number
    m = "m" if abs(node.m_power) == 1 else f"m^{abs(node.m_power)}"
    if node.m_power > 0:
        return m if value == 1 else f"{number} {m}"
    if format == "latex":
        return rf"\frac{{{value.numerator}}}{{{value.denominator} {m}}}".replace("{1 ", "{")
    return (
        f"{value.numerator}/({value.denominator} {m})"
        if value.denominator != 1
        else (f"{value.numerator}/{m}")
    )


def written(node: object, format: str = "text") -> str:
    """A claim's tree written back in `format` (text, unicode or latex), parenthesised as
    :func:`chainrule.graph.shapes.written` writes the matrix form."""
    open_, close = (r"\left(", r"\right)") if format == "latex" else ("(", ")")
    names = _NAMES[format]

    def part(inner: object, context: int, always: bool = False) -> str:
        text = walk(inner)
        return f"{open_}{text}{close}" if always or _binding(inner) < context else text

    def walk(node: object) -> str:
        if isinstance(node, Leaf):
            return leaf_name(node.key, format)
        if isinstance(node, Scalar):
            return _scalar(node, format)
        if isinstance(node, Transposed):
            inner = node.inner
            always = _binding(inner) < _ATOM or (
                isinstance(inner, Leaf) and not leaf_name(inner.key).isalnum()
            )
            return part(inner, _ATOM, always) + names["top"]
        if isinstance(node, Product):
            return f"{part(node.left, _PRODUCT)} {part(node.right, _PRODUCT + 1)}"
        if isinstance(node, Elementwise):
            left = part(node.left, _ATOM if isinstance(node.left, Product) else _ELEMENTWISE)
            return f"{left}{names['odot']}{part(node.right, _ATOM)}"
        if isinstance(node, Added):
            text = ""
            for number, (sign, term) in enumerate(zip(node.signs, node.terms)):
                if number or sign < 0:
                    text += (" + " if sign > 0 else " - ") if number else "-"
                text += part(term, _SUM + 1 if number and sign < 0 else _SUM)
            return text
        raise TypeError(f"not a claim's tree: {node!r}")

    return walk(node)
