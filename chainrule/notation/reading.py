r"""Reading a hand-written claim, ``dJ/dtheta^(1)_11 = <expression>``, into SymPy.

A claim is read in any of the notations chainrule prints (text names, unicode, LaTeX) or the
way people write by hand, and mixtures of them::

    delta^(3)_1 = (a^(3)_1 - y_1)/m * a^(3)_1*(1 - a^(3)_1)
    δ⁽³⁾₁ = ∂J/∂a⁽³⁾₁ · ∂a⁽³⁾₁/∂z⁽³⁾₁
    \delta^{(3)}_1 = \frac{1}{m}\left(a_1^{(3)} - y_1\right) \sigma'(z^{(3)}_1)

It is read by the expression core (:mod:`chainrule.graph.expression`, which also reads graph
files: the same numbers, operators, function calls and limits), extended with partials, δs,
primes and LaTeX layout; no ``eval``, no ``sympify``. The grammar, in full::

    claim      := quantity "=" expression
    quantity   := partial | δ name
    expression := term (("+" | "-" | "−") term)*
    term       := unary (("*" | "·" | "\cdot" | "\times" | "/" | implicit) power)*
    unary      := ("-" | "+" | "−") unary | power
    power      := atom (("^" | "**") (group | unary) | unicode superscript digits)?
    atom       := number | name | partial | function | "(" expression ")" | "[" expression "]"
                | "{" expression "}" | "\left(" expression "\right)" | "\frac{" ... "}{" ... "}"
                | "e^" exponent | Piecewise((value, condition), ...) | \begin{cases} ... \end{cases}
                | "(" expression "if" condition ("else" expression "if" condition)*
                  ("else" expression)? ")"      (a piecewise formula as unicode prints it)
    partial    := "d" name "/d" name | "∂" name "/∂" name | "\partial" name "/" "\partial" name
                | "\frac{\partial" name "}{\partial" name "}" | "\frac{d" name "}{d" name "}"
    function   := (activation | f) prime? argument  |  (exp | log | ln) argument
    activation := a name of the rules table (chainrule.rules) or another spelling it lists
                  (σ, \sigma and sigma for the sigmoid, \tanh, ReLU)
    prime      := "'" | "′" | "^{\prime}" | "^\prime"
    condition  := comparisons joined by & | \wedge (and), | \vee (or), ~ \neg (not), with
                  True, False and ITE(condition, condition, condition) (relu's pieces)

A name is a stem (``a``, ``theta``, ``θ``, ``\theta``, a graph file's node name) with a
layer (``^(3)``, ``^{(3)}``, ``⁽³⁾``) and indices (``_11``, ``_{11}``, ``₁₁``, ``_10,3``) in
either order; it must name a node, target or δ of the graph, or ``m``. ``f`` is the
activation of the layer of its argument; ``σ(z^(l)_j)`` of a sigmoid layer is ``a^(l)_j``.
LaTeX layout (``&``, ``\\``, ``\quad``, ``\,``, ``$``, ``\begin{aligned}``) is skipped.
Anything else is an error that names the position and what was expected.

Examples
--------
>>> from chainrule.graph.build import build_graph
>>> from chainrule.graph.spec import Network
>>> vocabulary = Vocabulary(build_graph(Network([2, 2, 2])))
>>> claim = read_claim(r"\delta_{1}^{(3)} = \frac{a_{1}^{(3)} - y_{1}}{m} \cdot "
...                    r"\sigma'(z^{(3)}_1)", vocabulary)
>>> claim.quantity, claim.expression
('delta^(3)_1', a^(3)_1*(1 - a^(3)_1)*(a^(3)_1 - y_1)/m)
>>> read_claim("dJ/dtheta^(1)_11 = δ⁽²⁾₁ · x₁", vocabulary).expression
delta^(2)_1*x_1
>>> read_claim("dJ/dtheta^(1)_11 = __import__('os')", vocabulary)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
chainrule.errors.SpecError: unexpected '_' at position 19: expected a number, a name, ...
"""

from __future__ import annotations

import re
from typing import NamedTuple

import networkx as nx
import sympy as sp

from chainrule import budget, rules
from chainrule.calculus.delta import delta_latex, delta_name, delta_nodes
from chainrule.calculus.symbolic import M, Partial, node_symbol
from chainrule.graph import names
from chainrule.graph.expression import (
    COMMAND,
    ExpressionReader,
    Value,
    value_of,
)
from chainrule.graph.spec import SOFTMAX, SpecError

#: Functions a claim may use besides the activations of the rules table, by every spelling:
#: f is the activation of its argument's layer.
_OTHER_FUNCTIONS = {
    "f": "f",
    "exp": "exp",
    r"\exp": "exp",
    "log": "log",
    r"\log": "log",
    "ln": "log",
    r"\ln": "log",
}
_GREEK = {"θ": "theta", "δ": "delta", r"\theta": "theta", r"\delta": "delta"}
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
# LaTeX and layout that carry no mathematics: skipped like spaces (outside a cases block).
_LAYOUT = re.compile(
    r"(?:\s|\$|&|\\\\|\\[,;:! ]|\\q?quad\b|\\displaystyle\b|\\[lr]vert\b"
    r"|\\(?:begin|end)\{aligned\*?\}|\\\[|\\\])+"
)
_IF, _ELSE = re.compile(r"if\b"), re.compile(r"else\b")
_CASES_LAYOUT = re.compile(r"(?:\s|\$|\\[,;:! ]|\\q?quad\b)+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_FUNCTION_WORD = re.compile(r"\\?[A-Za-z][A-Za-z0-9_]*")
_LAYER = re.compile(r"\^(?:\((\d+)\)|\{\s*\((\d+)\)\s*\})|([⁽][⁰¹²³⁴⁵⁶⁷⁸⁹]+[⁾])")
# indices after "_": "11", "10,3", or a graph file's name with underscores in it ("net_o1" of
# delta_net_o1, "total" of E_total), read whole as it is printed
_TEXT_INDICES = re.compile(r"_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*(?:,\d+)*)")
_UNICODE_INDICES = re.compile(r"[₀₁₂₃₄₅₆₇₈₉]+(?:,[₀₁₂₃₄₅₆₇₈₉]+)*")
_PRIME = re.compile(r"'|′|\^\{?\s*\\prime\s*\}?")
_MULTIPLY = re.compile(r"\*(?!\*)|·|⋅|×|\\cdot\b|\\times\b")
_DIVIDE = re.compile(r"/|÷")
_RELATIONS = {
    ">": sp.StrictGreaterThan,
    "<": sp.StrictLessThan,
    ">=": sp.GreaterThan,
    "<=": sp.LessThan,
    "≥": sp.GreaterThan,
    "≤": sp.LessThan,
}


class NameKey(NamedTuple):
    """A name as written, normalised: stem, layer and indices, however they were spelled."""

    stem: str
    layer: str | None
    indices: str | None


class Claim(NamedTuple):
    """A claim read: the quantity (``dJ/d<node>`` or a δ name), the node it is about, and
    the right-hand side (with :class:`~chainrule.calculus.symbolic.Partial` atoms and δ
    symbols as written)."""

    quantity: str
    node: str
    expression: sp.Expr


class Vocabulary:
    """What the names of a claim can mean on one graph: every node, target and δ, by every
    spelling chainrule prints (text, unicode, LaTeX), and the activation of each layer."""

    def __init__(self, graph: nx.DiGraph):
        self.graph = graph
        self.cost = graph.graph["cost"]
        self.network = graph.graph.get("network")
        self.keys: dict[NameKey, sp.Symbol | None] = {}
        self.delta_of: dict[sp.Symbol, str] = {}  # δ symbol -> the node it is ∂J/∂ of
        self.node_of: dict[sp.Symbol, str] = {}
        for node, data in graph.nodes(data=True):
            self.node_of[node_symbol(node)] = node
            self._register(node_symbol(node), node, data["latex"])
        for node in delta_nodes(graph):
            symbol = node_symbol(delta_name(graph, node))
            self.delta_of[symbol] = str(node)
            self._register(symbol, delta_name(graph, node), delta_latex(graph, node))
        targets = list(graph.graph.get("targets", ()))
        target_latex = dict(graph.graph.get("target_latex", {}))
        if self.network is not None:
            for i in range(1, self.network.sizes[-1] + 1):
                targets.append(sp.Symbol(f"y_{i}", real=True))
                target_latex[f"y_{i}"] = f"y_{{{i}}}"
        self.targets = set(targets)
        for target in targets:
            self._register(target, str(target), target_latex.get(str(target), str(target)))
        self.keys[NameKey("m", None, None)] = M

    def _register(self, symbol: sp.Symbol, text: str, latex: str) -> None:
        for spelling in {text, names.unicode_name(text), latex}:
            try:
                key = _NameReader(spelling).whole_name()
            except SpecError:  # a LaTeX name outside the grammar: its text names still work
                continue
            if self.keys.get(key, symbol) != symbol:
                self.keys[key] = None  # two things spelled alike: neither can be named so
            else:
                self.keys[key] = symbol

    def lookup(self, key: NameKey) -> sp.Symbol | None:
        return self.keys.get(key)

    def is_edge(self, of: str, wrt: str) -> bool:
        return self.graph.has_edge(wrt, of)

    def layer_activation(self, node: str) -> str | None:
        """The activation of a layered network's neuron (None for a graph file or an input)."""
        if self.network is None:
            return None
        data = self.graph.nodes[node]
        if data["kind"] not in ("pre", "act") or data["layer"] < 2:
            return None
        return self.network.activation[data["layer"] - 2]

    def activation_of(
        self, function: str, argument: sp.Expr, where: int, error
    ) -> tuple[str, str | None]:
        """(activation name, pre-activation node or None) for ``function(argument)``."""
        node = self.node_of.get(argument) if isinstance(argument, sp.Symbol) else None
        own = self.layer_activation(node) if node is not None else None
        if function == "f":
            if own is None:
                every = set(self.network.activation) if self.network is not None else set()
                if len(every) != 1:
                    raise error(
                        f"f at position {where} needs a weighted input z^(l)_j of a "
                        "layered network as its argument, to know whose activation it is"
                    )
                own = every.pop()
            function = own
        if function == SOFTMAX:
            raise error(
                f"the softmax at position {where} couples a layer's outputs: write "
                "its partials, da^(L)_i/dz^(L)_j"
            )
        kind = self.graph.nodes[node]["kind"] if node is not None else None
        return function, node if kind == "pre" and own == function else None

    def activation_node(self, pre: str) -> str:
        """The activation a^(l)_j fed by the weighted input z^(l)_j."""
        (successor,) = self.graph.successors(pre)
        return successor


def _normalise_indices(text: str) -> str:
    return re.sub(r"[\s{}]", "", text).translate(_SUBSCRIPT_DIGITS)


class _NameReader:
    """The name grammar alone, shared by the claim parser and by the vocabulary (which reads
    every spelling of every node with it, so a name and its table entry always agree)."""

    def __init__(self, text: str, position: int = 0):
        self.text, self.position = text, position

    def whole_name(self) -> NameKey:
        key = self.name()
        if key is None or self.position != len(self.text):
            raise SpecError(f"not a name: {self.text!r}")
        return key

    def name(self) -> NameKey | None:
        """Read a name at the position; None (position unchanged) if there is none."""
        text, start = self.text, self.position
        if start >= len(text):
            return None
        command = COMMAND.match(text, start)
        if command:
            stem = _GREEK.get(command.group())
            if stem is None:
                return None
            self.position = command.end()
        elif text[start] in _GREEK:
            stem, self.position = _GREEK[text[start]], start + 1
        else:
            word = _WORD.match(text, start)
            if word is None:
                return None
            stem, self.position = word.group(), word.end()
        layer = indices = None
        while True:
            layer_match = _LAYER.match(text, self.position) if layer is None else None
            if layer_match:
                digits = layer_match.group(1) or layer_match.group(2) or layer_match.group(3)
                layer = digits.strip("⁽⁾").translate(_SUPERSCRIPT_DIGITS)
                self.position = layer_match.end()
                continue
            if indices is None and text.startswith("_{", self.position):
                close = _closing_brace(text, self.position + 1)
                if close is None:
                    raise SpecError(f"'_{{' at position {self.position} is never closed")
                indices = _normalise_indices(text[self.position + 2 : close])
                self.position = close + 1
                continue
            index_match = (
                (
                    _TEXT_INDICES.match(text, self.position)
                    or _UNICODE_INDICES.match(text, self.position)
                )
                if indices is None
                else None
            )
            if index_match:
                indices = _normalise_indices(index_match.group(index_match.lastindex or 0))
                self.position = index_match.end()
                continue
            return NameKey(stem, layer, indices)


def _closing_brace(text: str, opening: int) -> int | None:
    depth = 0
    for index in range(opening, len(text)):
        if text[index] == "{":
            depth += 1
        elif text[index] == "}":
            depth -= 1
            if depth == 0:
                return index
    return None


def _spelled(key: NameKey) -> str:
    layer = f"^({key.layer})" if key.layer else ""
    indices = f"_{key.indices}" if key.indices else ""
    return f"{key.stem}{layer}{indices}"


def function_spellings() -> dict[str, str]:
    """Every spelling of a function a claim may use, and the function it means: the
    activations of the rules table by name and by the other spellings listed there, then f, exp
    and log. Read from the table each time, so an activation added there reads here too.

    Examples
    --------
    >>> spellings = function_spellings()
    >>> spellings["σ"] == spellings[r"\\sigma"] == rules.DEFAULT_ACTIVATION, spellings["ln"]
    (True, 'log')
    """
    spellings = {}
    for rule in rules.ACTIVATIONS.values():
        for spelling in (rule.name, *rule.spellings):
            spellings[spelling] = rule.name
    return {**spellings, **_OTHER_FUNCTIONS}


class _ClaimParser(ExpressionReader):
    """The expression core, widened to claims: partials, δs, primes, LaTeX and unicode."""

    noun = "claim"
    plus_minus = re.compile(r"[-+−]")
    times = _MULTIPLY
    divided_by = _DIVIDE
    brackets = (
        ("(", ")"),
        ("[", "]"),
        (r"\left(", r"\right)"),
        (r"\left[", r"\right]"),
        ("{", "}"),
    )
    atom_expected = "a number, a name, a partial, a function or '('"

    def __init__(self, text: str, vocabulary: Vocabulary):
        super().__init__(text)
        self.vocabulary = vocabulary
        self.layout = _LAYOUT
        self.functions = function_spellings()
        # spellings that are not words (σ): tried by their first characters, longest first
        self.symbols = sorted(
            (s for s in self.functions if not _FUNCTION_WORD.fullmatch(s)), key=len, reverse=True
        )

    # -- the claim ------------------------------------------------------------------------------

    def claim(self) -> Claim:
        def parse() -> Claim:
            if self.here() >= len(self.text):
                raise self.error("nothing to read")
            quantity, node = self.quantity()
            self.expect("=", "'=' after the quantity")
            expression = self.expression().expression
            self.finish("an operator or the end of the claim")
            return Claim(quantity, node, self.checked(expression))

        return self.guarded(parse)

    def quantity(self) -> tuple[str, str]:
        start = self.position
        partial = self.partial()
        if partial is not None:
            of, wrt = (self.vocabulary.node_of[s] for s in partial.args)
            cost = self.vocabulary.cost
            if of != cost:
                raise self.error(
                    f"the claim at position {start} is about d{of}/d{wrt}: a claim "
                    f"is about d{cost}/d<node> or a delta"
                )
            return f"d{cost}/d{wrt}", wrt
        reader = _NameReader(self.text, self.position)
        key = reader.name()
        symbol = self.vocabulary.lookup(key) if key is not None else None
        if symbol in self.vocabulary.delta_of:
            self.position = reader.position
            return str(symbol), self.vocabulary.delta_of[symbol]
        cost = self.vocabulary.cost
        example = "theta^(1)_11" if self.vocabulary.network is not None else self._a_source()
        delta = "delta^(2)_1" if self.vocabulary.network is not None else self._a_delta() or "delta"
        raise self.error(
            f"expected the quantity at position {start}: d{cost}/d<node> (for example "
            f"d{cost}/d{example}) or a delta (for example {delta})"
        )

    def _a_source(self) -> str:
        """A parameter of the graph, to show a quantity claims are about."""
        graph = self.vocabulary.graph
        return next((n for n, k in graph.nodes(data="kind") if k == "param"), "w")

    def _a_delta(self) -> str | None:
        return next((str(symbol) for symbol in self.vocabulary.delta_of), None)

    # -- what the core leaves to a grammar ------------------------------------------------------

    def atom(self) -> Value:
        # "(1 if z > 0 else 0)": a piecewise formula shows itself only after its first value,
        # so a parenthesis is read here rather than by the core (without going back over it)
        if self.accept("("):
            inner = self.nested(self.expression)
            if self.accept(_IF):
                return value_of(self.nested(self.conditional, inner.expression))
            self.expect(")")
            return inner
        return super().atom()

    def implicit_factor(self) -> bool:
        """Whether an atom starts here, so that two factors side by side multiply (``2a``)."""
        self.skip()
        if self.position >= len(self.text) or self.at(_IF) or self.at(_ELSE):
            return False
        rest = self.text[self.position]
        if rest in "([{∂" or rest in _GREEK or rest.isdigit() or rest == ".":
            return True
        if any(self.text.startswith(symbol, self.position) for symbol in self.symbols):
            return True
        command = COMMAND.match(self.text, self.position)
        if command:
            return command.group() in (
                r"\left",
                r"\frac",
                r"\dfrac",
                r"\tfrac",
                r"\partial",
                r"\begin",
                r"\operatorname",
                r"\mathrm",
            ) or (command.group() in self.functions or command.group() in _GREEK)
        return rest.isascii() and rest.isalpha()

    def exponent(self) -> Value | None:
        if self.accept(self.to_the):
            return self.nested(self.exponent_operand)
        superscript = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+").match(self.text, self.position)
        if not superscript:
            return None
        self.position = superscript.end()
        return self.number(superscript.group().translate(_SUPERSCRIPT_DIGITS), superscript.start())

    def exponent_operand(self) -> Value:
        if self.accept("{"):
            inner = self.expression()
            self.expect("}")
            return inner
        return self.unary()

    def special(self, start: int) -> Value | None:
        partial = self.partial()
        if partial is not None:
            return Value(partial)
        if self.accept(re.compile(r"\\[dt]?frac\b")):
            return self.nested(self.fraction)
        if self.at(r"\begin{cases}"):
            return value_of(self.nested(self.cases))
        if self.at("Piecewise("):
            return value_of(self.nested(self.piecewise))
        return None

    def fraction(self) -> Value:
        where = self.position
        self.expect("{", "'{' after \\frac")
        numerator = self.expression()
        self.expect("}")
        self.expect("{", "'{' for the denominator of \\frac")
        denominator = self.expression()
        self.expect("}")
        return self.product([(numerator, "*", where), (denominator, "/", where)])

    # -- partials -------------------------------------------------------------------------------

    def partial(self) -> Partial | None:
        """A partial in any notation, or None with the position unchanged."""
        start = self.position
        self.skip()
        forms = (
            (
                re.compile(r"\\[dt]?frac\s*\{\s*(\\partial\b|d)"),
                "}",
                re.compile(r"\{\s*(\\partial\b|d)"),
                "}",
            ),
            (re.compile(r"∂"), "/", re.compile(r"∂"), ""),
            (re.compile(r"\\partial\b"), "/", re.compile(r"\\partial\b"), ""),
            (re.compile(r"d(?=[A-Za-zθδ\\])"), "/", re.compile(r"d(?=[A-Za-zθδ\\])"), ""),
        )
        for opening, middle, second, closing in forms:
            self.position = start
            if not self.accept(opening):
                continue
            of = self.partial_name()
            if of is None or not self.accept(middle):
                continue
            if not self.accept(second):
                continue
            wrt = self.partial_name()
            if wrt is None or (closing and not self.accept(closing)):
                continue
            of_node, wrt_node = self.vocabulary.node_of[of], self.vocabulary.node_of[wrt]
            cost = self.vocabulary.cost
            if wrt_node == cost:
                raise self.error(
                    f"d{of_node}/d{wrt_node} at position {start} differentiates by "
                    f"{cost}: a partial is d<node>/d<node> or d{cost}/d<node>"
                )
            if of_node != self.vocabulary.cost and not self.vocabulary.is_edge(of_node, wrt_node):
                raise self.error(
                    f"d{of_node}/d{wrt_node} at position {start} is not a local "
                    f"partial of this graph: {wrt_node} does not feed {of_node}"
                )
            return Partial(of, wrt)
        self.position = start
        return None

    def partial_name(self) -> sp.Symbol | None:
        self.skip()
        reader = _NameReader(self.text, self.position)
        try:
            key = reader.name()
        except SpecError:
            return None
        symbol = self.vocabulary.lookup(key) if key is not None else None
        if symbol is None or symbol not in self.vocabulary.node_of:
            return None
        self.position = reader.position
        return symbol

    # -- names ----------------------------------------------------------------------------------

    def name(self, start: int) -> Value:
        reader = _NameReader(self.text, start)
        try:
            key = reader.name()
        except SpecError as error:
            raise self.error(f"{error} (at position {start})") from None
        if key is None:
            raise self.expected(self.atom_expected)
        if (
            key.stem == "e"
            and key.layer is None
            and key.indices is None
            and self.vocabulary.lookup(key) is None
            and self.text.startswith("^", reader.position)
        ):
            self.position = reader.position
            self.expect("^")
            return self.applied("exp", False, self.nested(self.exponent_operand), start)
        symbol = self.vocabulary.lookup(key)
        if symbol is None:
            raise self.error(
                f"unknown name {_spelled(key)!r} at position {start}: expected a "
                "node, a target or a delta of this graph, or m"
            )
        cost = self.vocabulary.cost
        if self.vocabulary.node_of.get(symbol) == cost:
            raise self.error(
                f"{cost} at position {start} can appear only in a partial such as d{cost}/da"
            )
        self.position = reader.position
        return Value(symbol)

    # -- functions ------------------------------------------------------------------------------

    def call(self, start: int) -> Value | None:
        function = self.function_name()
        if function is None:
            return None
        return self.nested(self.application, *function, levels=budget.EXPRESSION_FUNCTION_LEVELS)

    def function_name(self) -> tuple[str, bool, int] | None:
        """(meaning, primed, position) of a function at the position, or None."""
        self.skip()
        start = self.position
        operator = re.compile(r"\\(?:operatorname|mathrm)\{\s*([A-Za-z_]+)\s*\}").match(
            self.text, start
        )
        word = None
        if operator:
            word, end = operator.group(1), operator.end()
        elif match := _FUNCTION_WORD.match(self.text, start):
            word, end = match.group(), match.end()
        else:
            for symbol in self.symbols:  # σ2 is no function: a name, or an error, as σ_2
                if self.text.startswith(symbol, start):
                    if not self.text[start + len(symbol) : start + len(symbol) + 1].isdigit():
                        word, end = symbol, start + len(symbol)
                    break
        if word is None or word not in self.functions:
            return None
        meaning = self.functions[word]
        prime = _PRIME.match(self.text, end)
        rest = end if prime is None else prime.end()
        # A function needs its argument next (possibly after ^{2}); otherwise it is a name.
        follows = re.compile(r"\s*(?:\^\{?\s*\d+\s*\}?\s*)?(?:\(|\\left\(|\{)").match(
            self.text, rest
        )
        if follows is None:
            if meaning in ("f", "exp") and word in ("f", "exp"):
                return None  # perhaps a graph node called f
            raise self.error(f"expected '(' after the function {word!r} at position {start}")
        if prime is not None and meaning in ("exp", "log"):
            raise self.error(f"write the derivative of {word} out at position {start}")
        self.position = rest
        return meaning, prime is not None, start

    def application(self, meaning: str, primed: bool, where: int) -> Value:
        power = None
        raised = self.accept(re.compile(r"\^\{?\s*(\d+)\s*\}?"))  # \tanh^{2}{\left(z\right)}
        if raised:
            power = self.number(raised.group(1), raised.start(1))
        braced = self.accept("{")
        if self.accept(r"\left("):
            argument, closing = self.expression(), r"\right)"
        else:
            self.expect("(", "'(' for the argument")
            argument, closing = self.expression(), ")"
        self.expect(closing)
        if braced:
            self.expect("}")
        if argument.expression.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            raise self.error(
                f"the argument of the function at position {where} is undefined "
                "(a division by zero or the log of 0)"
            )
        value = self.apply(meaning, primed, argument, where)
        return value if power is None else self.raised(value, power, where)

    def apply(self, meaning: str, primed: bool, argument: Value, where: int) -> Value:
        if meaning in ("exp", "log"):
            return self.applied(meaning, primed, argument, where)
        activation, pre = self.vocabulary.activation_of(
            meaning, argument.expression, where, self.error
        )
        if pre is not None:  # f(z^(l)_j) is the neuron's own activation a^(l)_j
            rule = rules.ACTIVATIONS[activation]
            a = node_symbol(self.vocabulary.activation_node(pre))
            return Value(rule.derivative(argument.expression, a) if primed else a)
        return self.applied(activation, primed, argument, where)

    # -- piecewise (relu's derivative as chainrule prints it) ----------------------------------

    def condition(self):
        """A condition of a piece: comparisons joined by and (``&``, ``\\wedge``), or (``|``,
        ``\\vee``), not (``~``, ``\\neg``) and ``ITE(c, a, b)``, as SymPy prints them."""
        return self.nested(self.disjunction)

    def disjunction(self):
        result = self.conjunction()
        while self.accept(re.compile(r"\||\\vee\b|∨")):
            result = sp.Or(result, self.conjunction())
        return result

    def conjunction(self):
        result = self.negation()
        while self.accept(re.compile(r"&(?!=)|\\wedge\b|∧")):
            result = sp.And(result, self.negation())
        return result

    def negation(self):
        if self.accept(re.compile(r"~|\\neg\b|¬")):
            return sp.Not(self.nested(self.negation))
        return self.boolean()

    def boolean(self):
        if self.accept(re.compile(r"True\b|\\text\{\s*(?:True|otherwise)\s*\}")):
            return sp.true
        if self.accept(re.compile(r"False\b|\\text\{\s*False\s*\}")):
            return sp.false
        if self.accept(re.compile(r"ITE\s*\(|\\operatorname\{ITE\}\s*\\left\(")):
            closing = (
                ")"
                if self.text[self.position - 1] == "("
                and not self.text[: self.position].endswith(r"\left(")
                else r"\right)"
            )
            parts = [self.condition()]
            for _ in range(2):
                self.expect(",")
                parts.append(self.condition())
            self.expect(closing)
            return sp.ITE(*parts)
        start = self.position
        try:  # a comparison, whose left side may itself start with '('
            left = self.expression().expression
            relation = self.accept(re.compile(r">=|<=|>|<|≥|≤"))
            if relation:
                return _RELATIONS[relation.group()](left, self.expression().expression)
        except SpecError:
            pass
        self.position = start
        for opening, closing in (("(", ")"), (r"\left(", r"\right)")):
            if self.accept(opening):
                inner = self.condition()
                self.expect(closing)
                return inner
        raise self.expected("a condition: a comparison (>, <, >=, <=), True or False")

    def piecewise(self) -> sp.Expr:
        self.expect("Piecewise(")
        outer, self.layout = self.layout, _CASES_LAYOUT  # '&' is 'and' in a condition here
        try:
            pieces = []
            while True:
                self.expect("(", "'(' for a piece (value, condition)")
                value = self.expression().expression
                self.expect(",")
                pieces.append((value, self.condition()))
                self.expect(")")
                if not self.accept(","):
                    break
            self.expect(")")
        finally:
            self.layout = outer
        return sp.Piecewise(*pieces)

    def conditional(self, first: sp.Expr) -> sp.Expr:
        """The rest of ``(value if condition else value ...)``, after its first ``if``."""
        outer, self.layout = self.layout, _CASES_LAYOUT  # '&' is 'and' in a condition here
        try:
            pieces = [(first, self.condition())]
            while self.accept(_ELSE):
                value = self.expression().expression
                if not self.accept(_IF):
                    pieces.append((value, sp.true))
                    break
                pieces.append((value, self.condition()))
        finally:
            self.layout = outer
        self.expect(")", "')' or 'else' after the condition")
        return sp.Piecewise(*pieces)

    def cases(self) -> sp.Expr:
        self.expect(r"\begin{cases}")
        outer, self.layout = self.layout, _CASES_LAYOUT  # & and \\ separate the cases here
        try:
            pieces = []
            while True:
                value = self.expression().expression
                self.expect("&", "'&' before the condition of a case")
                if self.accept(r"\text{otherwise}"):
                    pieces.append((value, sp.true))
                else:
                    self.accept(re.compile(r"\\text\{\s*(?:for|if)\s*\}"))
                    pieces.append((value, self.condition()))
                if not self.accept(r"\\"):
                    break
                if self.at(r"\end{cases}"):
                    break
        finally:
            self.layout = outer
        self.expect(r"\end{cases}")
        return sp.Piecewise(*pieces)


def read_claim(text: str, vocabulary: Vocabulary) -> Claim:
    """Read one claim; every problem is a :class:`~chainrule.errors.SpecError` that names
    the position and what was expected."""
    return _ClaimParser(text, vocabulary).claim()
