"""Chains at the layer level: one product of Jacobians per path of tensors, and the δ recursion
in row-vector (batch) form, every product and transpose checked by the shape algebra.

A :class:`MatrixChain` is the ordered product, cost first, of one path's Jacobians for one
example (``∂J/∂a^(3) · ∂a^(3)/∂z^(3) · ∂z^(3)/∂a^(2) · ∂a^(2)/∂z^(2) · ∂z^(2)/∂Θ^(1)``), each
factor with its shape; the product is a row of the source's entries (a matrix's read row by
row), one example's share of the gradient. A layered network has one chain per weight matrix,
a residual network 2^N through N blocks, a recurrent one a chain per time step a weight is used
at; each stands for :meth:`~chainrule.graph.layers.LayerGraph.scalar_chains` scalar chains.

The batch form (:func:`batch_form`) is the same sum computed a layer at a time for all m
examples: the vector–Jacobian form of each factor (``g Θ``, ``g ⊙ f'(z)``, ``gᵀ a``, ``1ᵀ g``),
with a named δ at each computed tensor but an activation's output (``δ^(l) = (δ^(l+1) Θ^(l)) ⊙
f'(z^(l))``, ``∂J/∂Θ^(l) = (δ^(l+1))ᵀ a^(l)``; ``δ_h^(3)`` in a general graph), whose adjoint
is written inline. Its equations are records of the shape algebra's expressions: the
notations print them, :mod:`chainrule.verification.matrix` evaluates them in numpy, and their
shapes are checked here, so what is printed is what is checked and evaluated.

Nothing here imports SymPy, networkx or numpy: the matrix view of 784-512-512-10 is written in
a fraction of a second.

Examples
--------
>>> from chainrule.graph.layers import network_layers
>>> from chainrule.graph.spec import Network
>>> view = network_layers(Network([2, 2, 2]))
>>> (chain,) = iter_matrix_chains(view, "Theta^(1)")
>>> print(chain)
dJ/da^(3) * da^(3)/dz^(3) * dz^(3)/da^(2) * da^(2)/dz^(2) * dz^(2)/dTheta^(1)
>>> [str(factor.shape) for factor in chain], str(chain.product_shape()), chain.scalar_chains
(['1×2', '2×2', '2×2', '2×2', '2×4'], '1×4', 8)
>>> for equation in batch_form(view, "Theta^(1)"):
...     print(equation.text)
delta^(3) = dJ/da^(3) .* f'(z^(3))
delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))
dJ/dTheta^(1) = (delta^(2))^T x
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from chainrule import rules
from chainrule.graph.kinds import NodeKind
from chainrule.graph.layers import (
    EXAMPLES,
    LayerGraph,
    Tensor,
    TensorEdge,
    cost_tensor,
    tensor_unicode,
)
from chainrule.graph.shapes import (
    Dim,
    Expression,
    Hadamard,
    MatMul,
    Ones,
    Operand,
    Shape,
    Sum,
    Transpose,
    check_reshape,
    product,
    shape_of,
    written,
)

# -- names --------------------------------------------------------------------------------------


def partial_operand(of: Tensor, wrt: Tensor, shape: Shape) -> Operand:
    """∂of/∂wrt as an operand of `shape`, in every format."""
    return Operand(
        f"d{of.name}/d{wrt.name}",
        f"∂{of.unicode}/∂{wrt.unicode}",
        rf"\frac{{\partial {of.latex}}}{{\partial {wrt.latex}}}",
        shape,
    )


def delta_operand(tensor: Tensor) -> Operand:
    """δ of a tensor, m × n: ``delta^(l)`` at a layered network's z^(l), ``delta_h^(3)`` at
    any other computed tensor."""
    if tensor.kind == NodeKind.PRE:
        layer = tensor.name[tensor.name.index("^") :]
        text = f"delta{layer}"
        return Operand(
            text,
            tensor_unicode(text),
            r"\delta" + tensor.latex[tensor.latex.index("^") :],
            tensor.shape,
            key=f"delta:{tensor.name}",
        )
    text = f"delta_{tensor.name}"
    return Operand(
        text,
        f"δ_{tensor.unicode}",
        rf"\delta_{{{tensor.latex}}}",
        tensor.shape,
        key=f"delta:{tensor.name}",
    )


def derivative_operand(edge: TensorEdge, source: Tensor, target: Tensor) -> Operand:
    """What multiplies elementwise in the vector–Jacobian form of a diagonal Jacobian, m × n:
    f'(z) for an activation, the diagonal ∂v/∂u itself for any other."""
    if edge.jacobian.form == "activation":
        return Operand(
            f"f'({source.name})",
            f"f′({source.unicode})",
            rf"f'\left({source.latex}\right)",
            source.shape if source.batched else target.shape,
            key=f"f':{source.name}",
        )
    operand = partial_operand(target, source, target.shape)
    return operand._replace(key=f"diagonal:{source.name}:{target.name}")


def gradient_operand(source: Tensor) -> Operand:
    """∂J/∂source, in the source's shape (m × n for inputs: one row per example)."""
    operand = partial_operand(cost_tensor(), source, source.shape)
    return operand._replace(key=f"gradient:{source.name}")


# -- chains -------------------------------------------------------------------------------------


class MatrixFactor(NamedTuple):
    """One factor of a layer-level chain: the Jacobian of `of` by `wrt` for one example."""

    edge: TensorEdge
    of: Tensor
    wrt: Tensor

    @property
    def shape(self) -> Shape:
        return self.edge.shape

    @property
    def operand(self) -> Operand:
        return partial_operand(self.of, self.wrt, self.shape)

    @property
    def text(self) -> str:
        return self.operand.text

    @property
    def latex(self) -> str:
        return self.operand.latex

    def as_dict(self) -> dict[str, Any]:
        """``{"of", "wrt", "shape": [rows, cols], "latex"}``, as a scalar factor's JSON plus
        its shape."""
        return {
            "of": self.of.name,
            "wrt": self.wrt.name,
            "shape": self.shape.as_json(),
            "latex": self.latex,
        }

    def __str__(self) -> str:
        return self.text


class MatrixChain(tuple):
    """One path of tensors as the product of its Jacobians, cost first; `scalar_chains` is
    how many scalar chains it sums."""

    __slots__ = ()

    @property
    def source(self) -> Tensor:
        return self[-1].wrt

    @property
    def scalar_chains(self) -> int:
        count = self.source.entries
        for factor in self:
            count *= factor.of.entries if factor.edge.jacobian.pattern == "dense" else 1
        return count

    def product_shape(self) -> Shape:
        """The shape of the product, 1 × (entries of the source), checked factor by factor."""
        return shape_of(product(*(factor.operand for factor in self)))

    def gradient_shape(self) -> Shape:
        """The product read as the source's shape for one example (a row of a matrix's entries
        becomes the matrix)."""
        return check_reshape(
            f"∂J/∂{self.source.unicode}", self.product_shape(), self.source.per_example
        )

    @property
    def text(self) -> str:
        return " * ".join(factor.text for factor in self)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"MatrixChain({self.text})"


def iter_matrix_chains(view: LayerGraph, source: str) -> Iterator[MatrixChain]:
    """Every layer-level chain from `source` to the cost, as the paths of the view come."""
    for path in view.paths(source):
        yield MatrixChain(
            MatrixFactor(edge, view.tensor(edge.target), view.tensor(edge.source))
            for edge in reversed(path)
        )


# -- the batch form -----------------------------------------------------------------------------


class BatchEquation(NamedTuple):
    """``lhs = rhs`` for all m examples at once: a δ, a gradient, or the cost's dJ/da.

    `kind` is ``cost``, ``delta`` or ``gradient``; :attr:`shape` checks that the right-hand
    side's shape is the left's (a :class:`~chainrule.graph.shapes.ShapeMismatch` otherwise).
    """

    lhs: Operand
    rhs: Expression
    kind: str

    @property
    def shape(self) -> Shape:
        shape = shape_of(self.rhs)
        if shape != self.lhs.shape:
            raise ValueError(
                f"{self.lhs.text} is {self.lhs.shape} but its right-hand side is {shape}"
            )
        return shape

    def written(self, format: str = "unicode") -> str:
        name = {"text": self.lhs.text, "unicode": self.lhs.unicode, "latex": self.lhs.latex}
        return f"{name.get(format, self.lhs.text)} = {written(self.rhs, format)}"

    @property
    def text(self) -> str:
        return self.written("text")


def cost_gradient(view: LayerGraph, edge: TensorEdge) -> BatchEquation | None:
    """``dJ/da^(L) = (a^(L) - y)/m`` (by the cost's rule) for the cost edge `edge`, or None
    when the rule is unknown (a graph file's own cost)."""
    rule = rules.COSTS.get(str(edge.jacobian.rule))
    if rule is None or not rule.matrix:
        return None
    source = view.tensor(edge.source)
    y = str(edge.jacobian.operand)
    y_unicode, y_latex = tensor_unicode(y), _target_latex(y)
    forms = rule.matrix
    text = forms[0].format(a=source.name, y=y)
    rhs = Operand(
        text,
        forms[1].format(a=source.unicode, y=y_unicode),
        forms[2].format(a=source.latex, y=y_latex),
        source.shape,
        key=f"cost:{source.name}",
    )
    return BatchEquation(_cost_partial(view, edge), rhs, "cost")


def _target_latex(name: str) -> str:
    if "^(" in name:
        stem, layer = name.split("^(", 1)
        return f"{stem}^{{({layer[:-1]}}}" if layer.endswith(")") else name
    return name


def _cost_partial(view: LayerGraph, edge: TensorEdge) -> Operand:
    source = view.tensor(edge.source)
    operand = partial_operand(view.tensor(edge.target), source, source.shape)
    return operand._replace(key=f"dJ:{source.name}")


def is_named(view: LayerGraph, tensor: Tensor) -> bool:
    """Whether a computed tensor's δ is named in the batch form: every one but an activation's
    output (entered by one activation or softmax edge), whose adjoint is written inline, so
    that a layered network reads δ^(l) = (δ^(l+1) Θ^(l)) ⊙ f'(z^(l)) as by hand."""
    if not tensor.batched or tensor.kind == NodeKind.INPUT:
        return False
    entering = view.in_edges(tensor.name)
    return not (len(entering) == 1 and entering[0].jacobian.form in ("activation", "softmax"))


class NoBatchForm(ValueError):
    """An edge whose Jacobian has no batch form: a general Jacobian that differs by example and
    is not diagonal (only graph files have them)."""


def vector_jacobian(view: LayerGraph, edge: TensorEdge, upstream: Expression | None) -> Expression:
    """The vector–Jacobian form of `edge` applied to `upstream` (m × entries of the target):
    what the source's δ or gradient receives through this edge."""
    source, target = view.tensor(edge.source), view.tensor(edge.target)
    jacobian = edge.jacobian
    form = jacobian.form
    if form == "cost":
        return _cost_partial(view, edge)
    assert upstream is not None
    if form == "matrix":
        weights: Expression = view.tensor(str(jacobian.matrix)).operand
        return MatMul(upstream, Transpose(weights) if jacobian.transposed else weights)
    if form == "outer":
        multiplied = view.tensor(str(jacobian.operand)).operand
        if jacobian.pattern == "rows":
            return MatMul(Transpose(upstream), multiplied)
        return MatMul(Transpose(multiplied), upstream)
    if form == "softmax":
        a = target.operand
        scaled = Hadamard(upstream, a)
        spread = MatMul(MatMul(scaled, Ones(a.shape.cols)), Transpose(Ones(a.shape.cols)))
        return Sum((scaled, Hadamard(spread, a)), (1, -1))
    if form == "unit":
        received = upstream
    elif form == "activation" or (form == "general" and jacobian.pattern == "diagonal"):
        received = Hadamard(upstream, derivative_operand(edge, source, target))
    else:
        raise NoBatchForm(
            f"∂{target.name}/∂{source.name} is no named matrix and not diagonal: it differs "
            "from example to example, so the batch form has no one matrix product for it"
        )
    if not source.batched:  # a parameter row (a bias): its rows are summed over the examples
        return MatMul(Transpose(Ones(EXAMPLES)), received)
    return received


def batch_form(view: LayerGraph, source: str) -> tuple[BatchEquation, ...] | None:
    """The δ recursion for the gradient of `source`, output first: each named δ the gradient
    reaches, then ``∂J/∂source``, each checked by the shape algebra; None if a Jacobian on the
    way has no batch form (:class:`NoBatchForm`).

    The cost's gradient dJ/da is an operand of the equations; :func:`cost_gradient` writes it.
    """
    view.tensor(source)
    return _sweep(view, [source])


def network_batch_form(
    view: LayerGraph, wrt: str = "parameters"
) -> tuple[BatchEquation, ...] | None:
    """Backpropagation for the whole graph in batch form: every named δ once, output first,
    each gradient (of every parameter tensor, or with ``wrt="inputs"`` every input) as soon as
    its δ is known; None if a Jacobian on the way has no batch form.

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> for equation in network_batch_form(network_layers(Network([2, 2, 2], bias=True))):
    ...     print(equation.text)
    delta^(3) = dJ/da^(3) .* f'(z^(3))
    dJ/db^(3) = 1^T delta^(3)
    dJ/dTheta^(2) = (delta^(3))^T a^(2)
    delta^(2) = (delta^(3) Theta^(2)) .* f'(z^(2))
    dJ/db^(2) = 1^T delta^(2)
    dJ/dTheta^(1) = (delta^(2))^T x
    """
    kind = "param" if wrt == "parameters" else "input"
    return _sweep(view, [tensor.name for tensor in view.of_kind(kind)])


def sweep_form(view: LayerGraph, sources: list[str]) -> tuple[BatchEquation, ...]:
    """The δ recursion that reaches every tensor of `sources` (names), output first, each
    gradient as soon as its δ is known; :class:`NoBatchForm` names the first Jacobian on the
    way that has no batch form (``delta --view matrix`` says so rather than print nothing).

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> view = network_layers(Network([2, 3, 2], bias=True))
    >>> for equation in sweep_form(view, ["b^(3)"]):
    ...     print(equation.text)
    delta^(3) = dJ/da^(3) .* f'(z^(3))
    dJ/db^(3) = 1^T delta^(3)
    """
    for source in sources:
        view.tensor(source)
    equations = _sweep(view, sources, strict=True)
    assert equations is not None  # strict: a missing batch form raised NoBatchForm
    return equations


def _sweep(
    view: LayerGraph, sources: list[str], strict: bool = False
) -> tuple[BatchEquation, ...] | None:
    """The reverse sweep from the cost to `sources`: a named δ for each computed tensor on the
    way (others' adjoints inline), a gradient for each source, in the order they are known;
    None where a Jacobian has no batch form (`strict`: :class:`NoBatchForm` saying which)."""
    reached = _reached(view, sources)
    wanted = set(sources)
    adjoint: dict[str, Expression] = {}
    equations: list[BatchEquation] = []
    try:
        for tensor in reversed(view.tensors):
            if tensor.name not in reached or tensor.name == view.cost:
                continue
            terms = [
                vector_jacobian(view, edge, _upstream(view, edge.target, adjoint))
                for edge in view.out_edges(tensor.name)
                if edge.target in reached
            ]
            value = terms[0] if len(terms) == 1 else Sum(tuple(terms))
            if tensor.name in wanted:
                equations.append(BatchEquation(gradient_operand(tensor), value, "gradient"))
                wanted.discard(tensor.name)
                if not wanted:
                    break
                continue
            adjoint[tensor.name] = value
            if is_named(view, tensor):
                equations.append(BatchEquation(delta_operand(tensor), value, "delta"))
    except NoBatchForm:
        if strict:
            raise
        return None
    for equation in equations:
        equation.shape  # noqa: B018  (checked: a mismatch here is a bug, raised at once)
    return tuple(equations)


def _upstream(view: LayerGraph, name: str, adjoint: dict[str, Expression]) -> Expression | None:
    if name == view.cost:
        return None
    tensor = view.tensor(name)
    return delta_operand(tensor) if is_named(view, tensor) else adjoint[name]


def _reached(view: LayerGraph, sources: list[str]) -> set[str]:
    """The tensors on some path from one of `sources` to the cost: one pass over the tensors
    in order, however many sources (one pass per source made a sweep of L layers O(L²))."""
    reached = set(sources)
    for tensor in view.tensors:
        if tensor.name in reached:
            reached.update(edge.target for edge in view.out_edges(tensor.name))
    return reached


def forward_form(view: LayerGraph) -> tuple[BatchEquation, ...]:
    """The forward pass a tensor at a time, rows the examples: ``z^(l+1) = a^(l) (Θ^(l))ᵀ +
    b^(l+1)``, ``a^(l) = f(z^(l))``, each checked by the shape algebra (a bias row is added to
    every row).

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> [eq.text for eq in forward_form(network_layers(Network([2, 1], bias=True)))]
    ['z^(2) = x (Theta^(1))^T + b^(2)', 'a^(2) = f(z^(2))']
    """
    equations = []
    for tensor in view.tensors:
        if not tensor.batched or tensor.kind == NodeKind.INPUT:
            continue
        terms: list[Expression] = []
        for edge in view.in_edges(tensor.name):
            source, jacobian = view.tensor(edge.source), edge.jacobian
            if jacobian.form == "matrix":
                weights: Expression = view.tensor(str(jacobian.matrix)).operand
                factor = weights if jacobian.transposed else Transpose(weights)
                terms.append(MatMul(source.operand, factor))
            elif jacobian.form == "unit":
                terms.append(source.operand)
            elif jacobian.form in ("activation", "softmax"):
                function = "f" if jacobian.form == "activation" else "softmax"
                terms.append(_applied(function, source, jacobian.form))
            elif jacobian.form != "outer":  # a weight's own edge: the same product, read above
                raise NoBatchForm(f"{tensor.name} has no forward formula in matrices")
        value = terms[0] if len(terms) == 1 else Sum(tuple(terms))
        equations.append(BatchEquation(tensor.operand, value, "forward"))
    for equation in equations:
        # A graph file's tensor of the examples computed from parameters alone (q = x + y of
        # three parameters) is one row, the same for every example: no batch formula for it.
        row = Shape(Dim.of(1), equation.lhs.shape.cols)
        if shape_of(equation.rhs) == row != equation.lhs.shape:
            raise NoBatchForm(
                f"{equation.lhs.text} is computed from parameters alone: one row, not one per "
                "example"
            )
        equation.shape  # noqa: B018  (checked: a shape that does not fit is raised here)
    return tuple(equations)


def _applied(function: str, source: Tensor, form: str) -> Operand:
    """f(z) (an activation, elementwise) or softmax(z) (of each row), m × n."""
    latex = r"\operatorname{softmax}" if function == "softmax" else function
    return Operand(
        f"{function}({source.name})",
        f"{function}({source.unicode})",
        rf"{latex}\left({source.latex}\right)",
        source.shape,
        key=f"{form}:{source.name}",
    )


def cost_edges(view: LayerGraph, equations: tuple[BatchEquation, ...]) -> list[TensorEdge]:
    """The cost edges whose dJ/da the equations use, in the view's order."""
    used = {
        operand.key
        for equation in equations
        for operand in operands(equation.rhs)
        if operand.key.startswith("dJ:")
    }
    return [edge for edge in view.in_edges(view.cost) if f"dJ:{edge.source}" in used]


def operands(expression: Expression) -> Iterator[Operand]:
    """Every named operand of `expression`, left to right."""
    if isinstance(expression, Operand):
        yield expression
    elif isinstance(expression, Transpose):
        yield from operands(expression.inner)
    elif isinstance(expression, (MatMul, Hadamard)):
        yield from operands(expression.left)
        yield from operands(expression.right)
    elif isinstance(expression, Sum):
        for term in expression.terms:
            yield from operands(term)


# -- the layer-level graph as a document ------------------------------------------------------


def jacobian_written(view: LayerGraph, edge: TensorEdge, format: str = "text") -> str:
    """An edge's Jacobian for one example, as its form names it: Θ^(l) (``matrix``),
    I ⊗ a^(l) (``outer``: row j of Θ feeds z_j, so its row holds a^(l) in Θ's row j),
    diag f'(z) (``activation``), diag(a) − aᵀa (``softmax``), I (``unit``), ∂J/∂a (``cost``),
    ∂v/∂u (``general``); ``text``, ``unicode`` or ``latex``.

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> view = network_layers(Network([2, 3]))
    >>> [jacobian_written(view, edge, "unicode") for edge in view.edges]
    ['Θ⁽¹⁾', 'I ⊗ x', 'diag f′(z⁽²⁾)', '∂J/∂a⁽²⁾']
    """
    source, target = view.tensor(edge.source), view.tensor(edge.target)
    jacobian = edge.jacobian
    tokens = _JACOBIAN_TOKENS[format]

    def name(tensor: Tensor) -> str:
        return {"text": tensor.name, "unicode": tensor.unicode, "latex": tensor.latex}[format]

    def transposed(tensor: Tensor) -> str:
        # (a^(3))ᵀ: a name with a superscript takes its ᵀ outside parentheses
        written = name(tensor)
        if tensor.name.isalnum():
            return written + tokens["top"]
        opening, closing = (r"\left(", r"\right)") if format == "latex" else ("(", ")")
        return f"{opening}{written}{closing}{tokens['top']}"

    if jacobian.form == "matrix":
        weights = view.tensor(str(jacobian.matrix))
        return transposed(weights) if jacobian.transposed else name(weights)
    if jacobian.form == "outer":
        multiplied = view.tensor(str(jacobian.operand))
        left, right = (
            (transposed(multiplied), "I")
            if jacobian.pattern == "columns"
            else ("I", name(multiplied))
        )
        return tokens["kron"].format(left=left, right=right)
    if jacobian.form == "activation":
        return tokens["diag"].format(derivative=tokens["prime"].format(name(source)))
    if jacobian.form == "softmax":
        return tokens["softmax"].format(a=name(target), at=transposed(target))
    if jacobian.form == "unit":
        return "I"
    operand = partial_operand(target, source, edge.shape)
    return {"text": operand.text, "unicode": operand.unicode, "latex": operand.latex}[format]


_JACOBIAN_TOKENS = {
    "text": {
        "top": "^T",
        "kron": "kron({left}, {right})",
        "diag": "diag {derivative}",
        "prime": "f'({})",
        "softmax": "diag({a}) - {at} {a}",
    },
    "unicode": {
        "top": "ᵀ",
        "kron": "{left} ⊗ {right}",
        "diag": "diag {derivative}",
        "prime": "f′({})",
        "softmax": "diag({a}) − {at} {a}",
    },
    "latex": {
        "top": r"^{\top}",
        "kron": r"{left} \otimes {right}",
        "diag": r"\operatorname{{diag}} {derivative}",
        "prime": r"f'\left({}\right)",
        "softmax": r"\operatorname{{diag}}\left({a}\right) - {at} {a}",
    },
}


def vector_jacobian_written(view: LayerGraph, edge: TensorEdge, format: str = "text") -> str:
    """An edge's vector–Jacobian form for a batch, applied to an upstream ``g`` (m × entries of
    the target): ``g Θ``, ``gᵀ a``, ``g ⊙ f'(z)``, ``1ᵀ g``...

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> view = network_layers(Network([2, 3], bias=True))
    >>> [vector_jacobian_written(view, edge) for edge in view.edges]
    ['g Theta^(1)', 'g^T x', '1^T g', "g .* f'(z^(2))", 'dJ/da^(2)']
    """

    target = view.tensor(edge.target)
    upstream = Operand("g", "g", "g", Shape(EXAMPLES, target.shape.cols))
    try:
        return written(vector_jacobian(view, edge, upstream), format)
    except NoBatchForm:
        return ""


def layer_graph_document(view: LayerGraph) -> dict[str, Any]:
    """The layer-level graph as JSON: its tensors with their shapes, and its edges with their
    Jacobians' forms, shapes, and written forms (the Jacobian and its vector–Jacobian form, in
    text and LaTeX; the latter empty where the batch form has none).

    Examples
    --------
    >>> from chainrule.graph.layers import network_layers
    >>> from chainrule.graph.spec import Network
    >>> document = layer_graph_document(network_layers(Network([2, 3])))
    >>> document["tensors"][1]
    {'name': 'Theta^(1)', 'latex': '\\\\Theta^{(1)}', 'kind': 'param', 'shape': [3, 2]}
    >>> {key: document["edges"][0][key] for key in ("source", "target", "form", "shape")}
    {'source': 'x', 'target': 'z^(2)', 'form': 'matrix', 'shape': [3, 2]}
    """
    return {
        "label": view.label,
        "tensors": [
            {
                "name": tensor.name,
                "latex": tensor.latex,
                "kind": str(tensor.kind),
                "shape": tensor.shape.as_json(),
            }
            for tensor in view.tensors
        ],
        "edges": [
            {
                "source": edge.source,
                "target": edge.target,
                "form": edge.jacobian.form,
                "pattern": edge.jacobian.pattern,
                "shape": edge.shape.as_json(),
                "jacobian": jacobian_written(view, edge, "text"),
                "jacobian_latex": jacobian_written(view, edge, "latex"),
                "vjp": vector_jacobian_written(view, edge, "text"),
                "vjp_latex": vector_jacobian_written(view, edge, "latex"),
            }
            for edge in view.edges
        ],
    }
