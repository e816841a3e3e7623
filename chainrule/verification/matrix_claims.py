"""A matrix claim judged: its shapes for any widths, its value on a small instance of the same
shapes, and its mistake named with the shapes that show it.

A claim read by :mod:`chainrule.notation.matrix_reading` (``delta^(2) = delta^(3) Theta^(2) .*
f'(z^(2))``, ``dJ/dTheta^(1) = (delta^(2))^T x``) is compared with the equation chainrule prints
for the same tensor (:func:`chainrule.calculus.matrix.network_batch_form`, rows are examples):

1. Its shapes are checked by the shape algebra (:mod:`chainrule.graph.shapes`) with every width
   a symbol (n1, n2, ..., m), so a claim that fits only because two widths are equal (512 and
   512) is not taken for one that fits for any widths.
2. Its value is compared on a small instance of the same shapes (widths 2, 3, 4, ... and m = 5
   rows): every operand a matrix of its own symbols (f'(z) the activation's derivative of them,
   dJ/da the cost's), so equal entries are an identity of the operands, proven by SymPy; a
   random rational point screens first, in exact arithmetic.
3. A claim whose shapes do not fit with rows as examples is tried in the column-vector
   convention (δ^(l) is n_l × m: δ^(l) = (Θ^(l))ᵀ δ^(l+1) ⊙ f'(z^(l))): right there, it is
   reported right in that convention, which is named.

A wrong claim gets the first diagnosis that applies: ``wrong_order`` (δ Θ written Θ δ),
``transposed`` (an operand, or the whole right side), ``wrong_layer`` (an operand of the layer
above or below), ``shape_mismatch`` (what does not fit, with its shapes: ``Θ^(2) δ^(3):
(5×6)(m×5) does not multiply``), ``missing_activation_derivative`` (the ⊙ f'(z^(l)) dropped),
``missing_factor`` (the 1/m), ``sign``, else ``counterexample``.

Examples
--------
>>> from chainrule.graph.spec import Network
>>> network = Network([4, 6, 5, 3])
>>> document, _ = judge_matrix(network, "delta^(2) = Theta^(2) delta^(3) .* f'(z^(2))")
>>> document["verdict"], document["diagnosis"]["kind"]
('wrong', 'wrong_order')
>>> print(document["diagnosis"]["text"].split(";")[0])
Θ^(2) δ^(3): (5×6)(m×5) does not multiply
>>> judge_matrix(Network([4, 6, 5, 3]),
...              "delta^(2) = (Theta^(2))^T delta^(3) .* f'(z^(2))")[0]["convention"]
'columns'
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any

import sympy as sp

from chainrule import rules
from chainrule.calculus.matrix import network_batch_form
from chainrule.errors import SpecError
from chainrule.graph.layers import network_layers
from chainrule.graph.shapes import (
    Dim,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Shape,
    ShapeMismatch,
    Sum,
    Transpose,
    message_name,
    product_fits,
)
from chainrule.graph.shapes import written as written_expression
from chainrule.graph.spec import Network
from chainrule.notation.matrix_reading import (
    Added,
    Elementwise,
    Leaf,
    MatrixClaim,
    Product,
    Scalar,
    Transposed,
    leaf_name,
    read_matrix_claim,
    written,
)

SMALL_EXAMPLES = 5
M_SYMBOL = sp.Symbol("m", positive=True)
#: The value of m at the screening point: not 1, so a missing 1/m shows.
M_POINT = sp.Rational(7)
#: Batched keys: a row per example (transposed in the column-vector convention).
_PARAMETER_STEMS = ("Theta", "b")


def _small_width(layer: int) -> int:
    """A width of the small instance: 2, 3, 4, 2, 3, ... (neighbours differ; m = 5 differs
    from all)."""
    return 2 + (layer - 1) % 3


class Shapes:
    """Each key's shape for a layered network of `widths` (numbers, or symbols for "any
    widths"), rows as examples or (`columns`) columns as examples."""

    def __init__(self, widths: list[Dim], m: Dim, columns: bool = False):
        self.widths, self.m, self.columns = widths, m, columns

    @property
    def depth(self) -> int:
        return len(self.widths)

    def width(self, layer: int) -> Dim:
        return self.widths[layer - 1]

    def of(self, key: str) -> Shape:
        kind, _, name = key.partition(":")
        if key == "ones":
            return Shape(self.m, Dim.of(1))
        if key == "ones:out":  # a softmax's sum over the outputs
            return Shape(self.width(self.depth), Dim.of(1))
        if kind == "gradient":
            shape = self.of(name)
            return shape
        tensor = name or kind
        stem, _, layer_text = tensor.partition("^")
        if stem == "Theta":
            layer = int(layer_text.strip("()"))
            return Shape(self.width(layer + 1), self.width(layer))
        if stem == "b":
            layer = int(layer_text.strip("()"))
            row = Shape(Dim.of(1), self.width(layer))
            return row.T if self.columns else row
        if stem == "x":
            batched = Shape(self.m, self.width(1))
        elif stem == "y":
            batched = Shape(self.m, self.width(self.depth))
        else:  # z^(l), a^(l), and the δ, f' and dJ/da of one
            batched = Shape(self.m, self.width(int(layer_text.strip("()"))))
        return batched.T if self.columns else batched


def _leaf_message(key: str) -> str:
    return message_name(leaf_name(key, "text"))


def _message(node: object) -> str:
    """A part of a claim as error messages write it: Greek letters, ASCII layers, ᵀ."""
    text = message_name(written(node, "text")).replace("^T", "ᵀ")
    return f"({text})" if isinstance(node, (Product, Elementwise, Added)) else text


def _quantity_message(quantity: str) -> str:
    if quantity.startswith("dJ/d"):
        return "∂J/∂" + message_name(quantity[4:])
    return message_name(quantity)


def shape(node: object, shapes: Shapes) -> Shape | None:
    """The shape of a claim's tree (None for a number), or :class:`ShapeMismatch` naming the
    first operation whose operands do not fit."""
    if isinstance(node, Scalar):
        return None
    if isinstance(node, Leaf):
        return shapes.of(node.key)
    if isinstance(node, Transposed):
        inner = shape(node.inner, shapes)
        return None if inner is None else inner.T
    if isinstance(node, Product):
        left, right = shape(node.left, shapes), shape(node.right, shapes)
        if left is None or right is None:
            return right if left is None else left
        if left.cols != right.rows:
            raise ShapeMismatch(
                "multiply",
                [_message(node.left), _message(node.right)],
                [left, right],
                product_fits(left, right),
            )
        return Shape(left.rows, right.cols)
    if isinstance(node, Elementwise):
        left, right = shape(node.left, shapes), shape(node.right, shapes)
        if left is not None and right is not None and left != right:
            raise ShapeMismatch(
                "elementwise", [_message(node.left), _message(node.right)], [left, right]
            )
        return left or right
    if isinstance(node, Added):
        found = [shape(term, shapes) for term in node.terms]
        matrices = [s for s in found if s is not None]
        if not matrices:
            return None
        for other in matrices[1:]:
            if other != matrices[0]:
                raise ShapeMismatch(
                    "add",
                    [_message(term) for term in node.terms],
                    [s or matrices[0] for s in found],
                )
        return matrices[0]
    raise TypeError(f"not a claim's tree: {node!r}")


# -- values on the small instance ---------------------------------------------------------------


class Instance:
    """Values of every key on the small instance: symbols (`proof`), or random rationals (the
    screen); in the column-vector convention the batched ones are transposed."""

    def __init__(self, network: Network, proof: bool, seed: int = 0):
        self.network, self.proof = network, proof
        self.widths = [_small_width(layer) for layer in range(1, network.depth + 1)]
        self.shapes = Shapes([Dim.of(w) for w in self.widths], Dim.of(SMALL_EXAMPLES))
        self.random = random.Random(seed)
        self.m = M_SYMBOL if proof else M_POINT
        self.cache: dict[str, sp.Matrix] = {}

    def _entries(self, key: str) -> sp.Matrix:
        shape = self.shapes.of(key)
        rows, cols = shape.rows.factor, shape.cols.factor
        if self.proof:
            stem = key.replace(":", "_").replace("^", "").replace("(", "").replace(")", "")
            return sp.Matrix(
                rows, cols, lambda i, j: sp.Symbol(f"{stem}_{i + 1}{j + 1}", real=True)
            )
        # a probability for a, y (so a cost's logs and a softmax's sums stay defined)
        return sp.Matrix(rows, cols, lambda i, j: sp.Rational(self.random.randint(1, 98), 100))

    def value(self, key: str) -> sp.Matrix:
        """The rows-convention value of a key."""
        if key in self.cache:
            return self.cache[key]
        kind, _, name = key.partition(":")
        if key == "ones":
            result = sp.ones(SMALL_EXAMPLES, 1)
        elif key == "ones:out":
            result = sp.ones(self.widths[-1], 1)
        elif kind == "f'":
            layer = int(name.split("(")[1].rstrip(")"))
            z, a = self.value(name), self.value(f"a^({layer})")
            activation = self.network.activation[layer - 2]
            if activation not in rules.ACTIVATIONS:  # a softmax: its Jacobian is no diagonal
                raise SpecError(
                    f"f'(z^({layer})): layer {layer} is a {activation}, whose Jacobian is not "
                    "diagonal; write delta^(L) by its softmax, or dJ/dz^(L)"
                )
            rule = rules.ACTIVATIONS[activation]
            zs, as_ = sp.symbols("z a", real=True)
            formula = rule.derivative(zs, as_)
            result = z.applyfunc(lambda _: 0)
            result = sp.Matrix(
                z.rows, z.cols, lambda i, j: formula.subs({zs: z[i, j], as_: a[i, j]})
            )
        elif kind == "dJ":
            a, y = self.value(name), self.value("y")
            cost = rules.COSTS[self.network.cost]
            as_, ys, ms = sp.symbols("a y m", real=True)
            formula = cost.derivative(as_, ys, ms)
            result = sp.Matrix(
                a.rows,
                a.cols,
                lambda i, j: formula.subs({as_: a[i, j], ys: y[i, j], ms: self.m}),
            )
        else:
            result = self._entries(key)
        self.cache[key] = result
        return result


def evaluate(node: object, instance: Instance, columns: bool = False) -> Any:
    """A claim's tree on the small instance: a SymPy matrix, or a number for a number."""
    if isinstance(node, Scalar):
        return sp.Rational(node.value.numerator, node.value.denominator) * instance.m**node.m_power
    if isinstance(node, Leaf):
        value = instance.value(node.key)
        stem = node.key.partition("^")[0]
        transpose = columns and not node.key.startswith("ones") and stem != "Theta"
        return value.T if transpose else value
    if isinstance(node, Transposed):
        inner = evaluate(node.inner, instance, columns)
        return inner.T if isinstance(inner, sp.MatrixBase) else inner
    if isinstance(node, Product):
        left, right = (
            evaluate(node.left, instance, columns),
            evaluate(node.right, instance, columns),
        )
        return left * right
    if isinstance(node, Elementwise):
        left, right = (
            evaluate(node.left, instance, columns),
            evaluate(node.right, instance, columns),
        )
        if isinstance(left, sp.MatrixBase) and isinstance(right, sp.MatrixBase):
            return left.multiply_elementwise(right)
        return left * right
    if isinstance(node, Added):
        values = [evaluate(term, instance, columns) for term in node.terms]
        like = next((v for v in values if isinstance(v, sp.MatrixBase)), None)
        total: Any = 0 if like is None else sp.zeros(like.rows, like.cols)
        for sign, term_value in zip(node.signs, values):
            if like is not None and not isinstance(term_value, sp.MatrixBase):
                term_value = term_value * sp.ones(like.rows, like.cols)  # 1 - a: a matrix of 1s
            total = total + sign * term_value
        return total
    raise TypeError(f"not a claim's tree: {node!r}")


# -- the truth -----------------------------------------------------------------------------------


def _tree(expression: Any) -> object:
    """An equation of :mod:`chainrule.calculus.matrix` as a claim's tree (same keys)."""
    if isinstance(expression, Operand):
        return Leaf(expression.name)
    if isinstance(expression, Ones):
        # a column of m ones sums over the examples; any other (a softmax's) over the outputs
        return Leaf("ones" if not expression.rows.known else "ones:out")
    if isinstance(expression, Transpose):
        return Transposed(_tree(expression.inner))
    if isinstance(expression, MatMul):
        return Product(_tree(expression.left), _tree(expression.right))
    if isinstance(expression, Hadamard):
        return Elementwise(_tree(expression.left), _tree(expression.right))
    if isinstance(expression, Sum):
        signs = tuple(sign for sign, _ in expression.signed())
        return Added(tuple(_tree(term) for term in expression.terms), signs)
    raise TypeError(f"not a matrix expression: {expression!r}")


def true_equations(network: Network) -> dict[str, Any]:
    """Every batch equation chainrule prints for `network` (δs, gradients of the weights and of
    the inputs), by the key of its left side."""
    view = network_layers(network)
    equations: dict[str, Any] = {}
    for wrt in ("parameters", "inputs"):
        for equation in network_batch_form(view, wrt) or ():
            equations.setdefault(equation.lhs.key, equation)
    return equations


# -- judging -----------------------------------------------------------------------------------


def _equal(claim: object, truth: object, instance: Instance, columns: bool, lhs: str) -> bool:
    """Whether the claim's value equals the truth's on `instance` (in the column convention a
    batched left side is the truth transposed)."""
    try:
        ours = evaluate(claim, instance, columns)
    except (TypeError, ValueError, ArithmeticError, sp.ShapeError):
        return False
    expected = evaluate(truth, instance)
    if columns and not lhs.startswith("gradient:Theta"):
        expected = expected.T
    if not isinstance(ours, sp.MatrixBase) or ours.shape != expected.shape:
        return False
    difference = ours - expected
    if instance.proof:
        return all(sp.cancel(sp.together(entry)) == 0 for entry in difference)
    return all(entry == 0 for entry in difference)


class _Judge:
    def __init__(self, network: Network, claim: MatrixClaim, truth_equation: Any):
        self.network, self.claim = network, claim
        self.truth = _tree(truth_equation.rhs)
        self.equation = truth_equation
        depth = network.depth
        symbols = [Dim.of(f"n{layer}") for layer in range(1, depth + 1)]
        actual = [Dim.of(width) for width in network.sizes]
        m = Dim.of("m")
        self.any_widths = Shapes(symbols, m)
        self.any_columns = Shapes(symbols, m, columns=True)
        self.these_widths = Shapes(actual, m)
        self.screen = Instance(network, proof=False)
        self.proof = Instance(network, proof=True)

    def fits(self, node: object, shapes: Shapes) -> bool:
        try:
            return shape(node, shapes) == shapes.of(self.claim.lhs)
        except ShapeMismatch:
            return False

    def right(self, node: object, columns: bool = False, prove: bool = False) -> bool:
        """Whether `node` fits for any widths and equals the truth (screened; proven if
        `prove`)."""
        shapes = self.any_columns if columns else self.any_widths
        if not self.fits(node, shapes):
            return False
        if not _equal(node, self.truth, self.screen, columns, self.claim.lhs):
            return False
        return not prove or _equal(node, self.truth, self.proof, columns, self.claim.lhs)

    def verdict(self) -> tuple[str, dict | None, str, str | None]:
        rhs = self.claim.rhs
        instance = "widths " + "-".join(map(str, self.proof.widths)) + f", m = {SMALL_EXAMPLES}"
        proven = (
            f"proven: claim − true ≡ 0 entry by entry on an instance of the same shapes "
            f"({instance}), and the shapes fit for any widths"
        )
        if self.right(rhs, prove=True):
            return "correct", None, proven, "rows"
        if self.right(rhs, columns=True, prove=True):
            detail = (
                "correct in the column-vector convention (columns are examples: δ^(l) is "
                "n_l × m, δ^(l) = (Θ^(l))ᵀ δ^(l+1) ⊙ f′(z^(l))); "
                f"{proven}. chainrule writes rows as examples: {self.equation.written('unicode')}"
            )
            return "correct", None, detail, "columns"
        diagnosis = self.diagnose()
        return "wrong", diagnosis, diagnosis["text"], None

    # -- diagnoses ------------------------------------------------------------------------------

    def mismatch(self) -> ShapeMismatch | str | None:
        """Why the claim's shapes do not fit for any widths: the mismatch (at these widths if
        it shows there), a result of the wrong shape, or None if they fit."""
        for shapes in (self.these_widths, self.any_widths):
            try:
                found = shape(self.claim.rhs, shapes)
            except ShapeMismatch as error:
                if shapes is self.any_widths:  # equal widths here hide it: say so
                    return f"for widths that differ, {error}"
                return error
            wanted = shapes.of(self.claim.lhs)
            if found != wanted:
                lhs = _quantity_message(self.claim.quantity)
                return f"the right side is {found or 'a number'}, but {lhs} is {wanted}"
        return None

    def diagnose(self) -> dict:
        truth = self.equation.written("unicode")
        problem = self.mismatch()
        shown = str(problem) if problem is not None else None
        for kind, variant, what in self.variants():
            if self.right(variant):
                text = f"{what}; the true form is {truth}"
                if shown:
                    text = f"{shown}; {text}"
                return self._diagnosis(kind, text, shown, variant)
        if problem is not None:
            return self._diagnosis(
                "shape_mismatch", f"{shown}; the true form is {truth}", shown, None
            )
        for kind, variant, what in self.fitting_variants():
            if self.right(variant):
                return self._diagnosis(kind, f"{what}; the true form is {truth}", None, variant)
        text = (
            "the shapes fit, but the two sides differ on an instance of these shapes "
            f"(widths {'-'.join(map(str, self.screen.widths))}, m = {SMALL_EXAMPLES}); "
            f"the true form is {truth}"
        )
        return self._diagnosis("counterexample", text, None, None)

    def _diagnosis(self, kind: str, text: str, shown: str | None, variant: object) -> dict:
        evidence: dict[str, Any] = {
            "shown": (
                f"the corrected claim {written(variant, 'unicode')} = true"
                if variant is not None
                else (shown or "the two sides differ")
            ),
            "how": (
                f"equal on an instance of the same shapes (widths "
                f"{'-'.join(map(str, self.screen.widths))}, m = {SMALL_EXAMPLES}), its shapes "
                "fitting for any widths"
                if variant is not None
                else "by the shape algebra, with every width a symbol"
                if shown
                else "on an instance of the same shapes"
            ),
        }
        if variant is not None:
            evidence["corrected"] = written(variant, "text")
        return {"kind": kind, "text": text, "evidence": evidence}

    def variants(self) -> Iterator[tuple[str, object, str]]:
        """Rearrangements of a claim whose shapes do not fit, each with its diagnosis."""
        rhs = self.claim.rhs
        for product, swapped in _rewrites(rhs, _swap):
            assert isinstance(product, Product)  # what _swap rewrites
            yield (
                "wrong_order",
                swapped,
                f"the factors of {_message(product)[1:-1]} are in the wrong order: with "
                f"rows as examples the product is "
                f"{_message(Product(product.right, product.left))[1:-1]}",
            )
        for part, flipped in _rewrites(rhs, _flip):
            what = (
                f"{_leaf_text(part)}: the transpose is one too many"
                if isinstance(part, Transposed)
                else f"{_leaf_text(part)} is transposed: a ᵀ is missing"
            )
            yield "transposed", flipped, what
        yield "transposed", Transposed(rhs), "the whole right side is transposed"
        yield from self.layer_variants()

    def layer_variants(self) -> Iterator[tuple[str, object, str]]:
        depth = self.network.depth
        for leaf, shifted in _rewrites(self.claim.rhs, lambda n: _shifts(n, depth)):
            yield (
                "wrong_layer",
                shifted,
                f"{_leaf_text(leaf)} is of the wrong layer",
            )

    def fitting_variants(self) -> Iterator[tuple[str, object, str]]:
        """Corrections of a claim whose shapes fit but whose value does not."""
        rhs, lhs = self.claim.rhs, self.claim.lhs
        layer = int(lhs.split("^(")[1].split(")")[0]) if lhs.startswith("delta:") else 0
        if layer and self.network.activation[layer - 2] in rules.ACTIVATIONS:
            derivative = Leaf(f"f':{lhs.partition(':')[2]}")
            yield (
                "missing_activation_derivative",
                Elementwise(rhs, derivative),
                f"the ⊙ {message_name(leaf_name(derivative.key, 'text'))} is missing: "
                f"{_quantity_message(self.claim.quantity)} = ∂J/∂z passes back through the "
                "activation",
            )
        factors = (
            (
                "missing_factor",
                Scalar(Fraction(1), -1),
                "the 1/m is missing (J averages over the m examples, so ∂J/∂a has a 1/m)",
            ),
            ("missing_factor", Scalar(Fraction(1), 1), "a stray 1/m: the claim divides by m twice"),
            ("sign", Scalar(Fraction(-1)), "off by a sign ((y − a) written for (a − y))"),
            ("missing_factor", Scalar(Fraction(-1), -1), "off by a sign and the 1/m is missing"),
            ("missing_factor", Scalar(Fraction(1, 2)), "a stray 2"),
        )
        for kind, factor, what in factors:
            yield kind, Product(factor, rhs), what
        yield from self.layer_variants()


def _leaf_text(part: object) -> str:
    """The operand a rewrite changed, as messages write it (``Θ^(2)``, ``(Θ^(2))ᵀ``)."""
    if isinstance(part, Leaf):
        return _leaf_message(part.key)
    return _message(part)


def _rewrites(
    node: object, rewrite: Callable[[object], Iterator[object]]
) -> Iterator[tuple[object, object]]:
    """Each way to apply `rewrite` at one place of the tree: (the part rewritten, the tree)."""
    for replacement in rewrite(node):
        yield node, replacement
    if isinstance(node, Transposed):
        for part, inner in _rewrites(node.inner, rewrite):
            yield part, Transposed(inner)
    elif isinstance(node, (Product, Elementwise)):
        kind = type(node)
        for part, left in _rewrites(node.left, rewrite):
            yield part, kind(left, node.right)
        for part, right in _rewrites(node.right, rewrite):
            yield part, kind(node.left, right)
    elif isinstance(node, Added):
        for number, term in enumerate(node.terms):
            for part, changed in _rewrites(term, rewrite):
                terms = node.terms[:number] + (changed,) + node.terms[number + 1 :]
                yield part, Added(terms, node.signs)


def _leaves(node: object) -> Iterator[Leaf]:
    """Every leaf of a claim's tree, left to right."""
    if isinstance(node, Leaf):
        yield node
    elif isinstance(node, Transposed):
        yield from _leaves(node.inner)
    elif isinstance(node, (Product, Elementwise)):
        yield from _leaves(node.left)
        yield from _leaves(node.right)
    elif isinstance(node, Added):
        for term in node.terms:
            yield from _leaves(term)


def _swap(node: object) -> Iterator[object]:
    if isinstance(node, Product) and not isinstance(node.left, Scalar):
        yield Product(node.right, node.left)


def _flip(node: object) -> Iterator[object]:
    if isinstance(node, Leaf) and not node.key.startswith("ones"):
        yield Transposed(node)
    if isinstance(node, Transposed) and isinstance(node.inner, Leaf):
        yield node.inner


def _shifts(node: object, depth: int) -> Iterator[object]:
    if not isinstance(node, Leaf) or "^(" not in node.key:
        return
    head, _, rest = node.key.partition("^(")
    layer = int(rest.split(")")[0])
    tail = rest.split(")", 1)[1]
    for other in (layer - 1, layer + 1):
        key = f"{head}^({other}){tail}"
        if _exists(key, depth):
            yield Leaf(key)


def _exists(key: str, depth: int) -> bool:
    tensor = key.partition(":")[2] or key
    stem, _, layer_text = tensor.partition("^")
    layer = int(layer_text.strip("()"))
    if stem == "Theta":
        return 1 <= layer <= depth - 1
    if stem == "a":
        return 2 <= layer <= depth
    return 2 <= layer <= depth


def judge_matrix(network: Network, text: str) -> tuple[dict, str]:
    """The record of a matrix claim on a layered network (the keys of a scalar claim's, with
    ``"view": "matrix"`` and ``"convention"``: ``rows``, ``columns`` or null), and the true
    equation in text."""
    claim = read_matrix_claim(text, network.depth)
    if not network.bias and claim.lhs.startswith("gradient:b"):
        raise SpecError(f"{network.architecture} has no biases (add --bias)")
    equations = true_equations(network)
    if claim.lhs not in equations:
        raise SpecError(f"{claim.quantity} is not a tensor of {network.architecture}")
    for leaf in _leaves(claim.rhs):
        if leaf.key.startswith("f':"):
            Instance(network, proof=False).value(leaf.key)  # a softmax's f' is refused by name
    equation = equations[claim.lhs]
    verdict, diagnosis, detail, convention = _Judge(network, claim, equation).verdict()
    lhs_latex = equation.lhs.latex
    document = {
        "claim": text,
        "quantity": claim.quantity,
        "verdict": verdict,
        "diagnosis": diagnosis,
        "true_latex": f"{lhs_latex} = " + _latex(equation),
        "claim_latex": f"{lhs_latex} = {written(claim.rhs, 'latex')}",
        "detail": detail,
        "view": "matrix",
        "convention": convention,
    }
    return document, equation.text


def _latex(equation: Any) -> str:
    return written_expression(equation.rhs, "latex")
