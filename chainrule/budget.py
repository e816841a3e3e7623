"""The budget: what a request may cost, estimated before any work, and the one way to refuse.

Every command estimates its cost from the architecture or the graph alone (closed forms and
dynamic programmes, never by starting the work) and compares each estimate with a limit here.
Past a limit, :func:`refuse` raises :class:`~chainrule.errors.TooLarge` with one message that
states the estimate and says how to get an answer. The defaults keep every command under about
2 s and 1 GiB on a 2-core machine.

The limits a user may raise are options (:data:`LIMITS`); the advice names the option as the
front end that asked spells it (:func:`spelled`): ``--limit 12`` on the command line,
``limit=12`` in an explorer request or a Python call. Where the explorer caps an option (its
requests cannot ask for more than the server was started with), the advice says how to start it
with more instead, so that advice followed gets an answer.

Examples
--------
>>> with front_end("cli"):
...     check("chains", 12, 10, "limit")
Traceback (most recent call last):
...
chainrule.errors.TooLarge: 12 chains, more than the limit of 10; raise it with --limit 12
>>> check("chains", 12, 10, "limit")  # from Python, the same refusal names the keyword
Traceback (most recent call last):
...
chainrule.errors.TooLarge: 12 chains, more than the limit of 10; raise it with limit=12
>>> check("chains", 12, 20, "limit")  # within the limit: nothing happens
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import NamedTuple

from chainrule.errors import TooLarge

# -- the limits a user may raise, each an option of the commands it bounds ----------------------


class Limit(NamedTuple):
    """A limit a user may raise: its option's keyword, its default, and what it bounds."""

    option: str
    default: int
    bounds: str


#: Chains a command writes out (``--limit``): about 2 s of printing at the default. A document
#: (report, the explorer's page) typesets every chain, about five times the work of a line of
#: text, so it writes :data:`DOCUMENT_CHAIN_LIMIT` by default.
DEFAULT_CHAIN_LIMIT = 10_000
DOCUMENT_CHAIN_LIMIT = 2_000
#: Nodes plus edges of a computation graph that is built (``--max-graph``): about 2 s to build.
DEFAULT_MAX_GRAPH = 250_000
#: Numbers held by one numeric case and its gradients (``--max-numbers``): 8 bytes each.
DEFAULT_MAX_NUMBERS = 20_000_000

LIMITS: Mapping[str, Limit] = {
    limit.option: limit
    for limit in (
        Limit("limit", DEFAULT_CHAIN_LIMIT, "chains written"),
        Limit("max_graph", DEFAULT_MAX_GRAPH, "nodes and edges of a computation graph built"),
        Limit("max_numbers", DEFAULT_MAX_NUMBERS, "numbers of a numeric case"),
    )
}

# -- fixed budgets: what one piece of work may cost ---------------------------------------------

#: The terms written may be this many times the chains allowed.
TERMS_PER_CHAIN = 100
#: Multiply-adds of a numeric run (training epochs, finite differences): about 2 s of numpy.
MAX_NUMERIC_WORK = 2_000_000_000
#: What an epoch of training costs beyond its arithmetic, in multiply-adds of the same time:
#: each step is a few dozen numpy calls, about 85 µs however small the network.
EPOCH_OVERHEAD = 100_000
#: The closed view's estimated size (:func:`chainrule.calculus.counting.closed_view_size`) may
#: be this fraction of ``--limit``: 5,000 at the default, about 2 s of SymPy printing.
CLOSED_SIZE_PER_CHAIN = 0.5
#: Claims one ``check`` judges: a hand derivation has dozens. Each takes about 5 ms on 2-2-2
#: (more on larger graphs, up to a second of proof), so 500 take about 2.5 s; 5,000 took 25 s.
MAX_CLAIMS = 500
#: --lr and --init-scale: far above any useful value, far below overflow.
MAX_SCALE = 1e6
#: A limit hint longer than this many digits is not worth printing: nothing could meet it.
_SANE_HINT_DIGITS = 12

# -- verify: what each method of a verification may cost ---------------------------------------
#
# Above these sizes a method is left out (finite differences: run on a sample), and the report
# says why; together they keep a verification within about 2 s whatever it is given.

MAX_CHAINS_SUMMED = 200_000
MAX_TERMS_SUMMED = 2_000_000  # about a second of products: long chains count, not only many
#: The graph's formulas evaluated one by one, for the chain sum and the δ sweep: about a second
#: at this size (100-100-100 has 40,300 edges) since they are no longer lambdified.
MAX_EDGES_EVALUATED = 50_000
#: A graph file's local derivatives are SymPy's derivatives of its formulas: each edge u -> v
#: walks v's formula (:func:`~chainrule.calculus.counting.local_derivative_work`), about 30,000
#: symbols a second.
MAX_DERIVATIVE_WORK = 20_000
MAX_SYMPY_PARAMETERS, MAX_SYMPY_DEPTH = 45, 4
MAX_SYMPY_WORK = 10_000  # :func:`~chainrule.calculus.counting.sympy_diff_work`: about 2.5 s
MAX_FINITE_DIFFERENCES = 2_000  # beyond it, a reproducible sample of this many parameters
#: ... and the passes are priced (:func:`forward_pass_work`, in nanoseconds): past this, a
#: smaller sample, or none when one source does not fit.
MAX_FINITE_DIFFERENCE_WORK = 400_000_000
#: One layer of a numeric forward pass costs about this many nanoseconds in numpy's calls (a
#: product, a bias and an activation), whatever its size: 500 layers of width 2 are slow.
LAYER_OVERHEAD_WORK = 5_000
#: A weight matrix of up to this many weights stays in the CPU's cache from pass to pass: its
#: product costs about a tenth of a nanosecond a weight and example. A larger one is streamed
#: from memory on every pass, about this many nanoseconds a weight.
CACHED_WEIGHTS = 100_000
STREAMED_WEIGHT_WORK = 16
#: A forward pass over a graph evaluates each computed node's formula
#: (:func:`~chainrule.calculus.counting.forward_pass_work`, in symbols of about 2 µs each):
#: finite differences over a graph get this much work at most.
MAX_GRAPH_DIFFERENCE_WORK = 250_000

#: The matrix form evaluated (verify's ``matrix`` method, :func:`matrix_form_work`, in
#: nanoseconds): each layer's batch equations read from the records and its f' and dJ/da
#: evaluated from the rules' SymPy formulas, about 0.2 ms a layer (500 layers of width 2 took
#: 0.1 s), on top of three numeric passes (forward, the δ sweep, the inputs' sweep). Past the
#: most, about a second, the method is left out.
MATRIX_FORM_LAYER_WORK = 250_000
MAX_MATRIX_FORM_WORK = 1_000_000_000

#: What a verification of a case costs, in microseconds, beyond a start of about 12 ms
#: (:func:`chainrule.records.verify.work`; fitted on 22 networks from 1-1 to 500 layers of
#: width 2 and 100-100-100, each within a third of its measured time on a 2-core machine):
#: each computed node's formula built in SymPy and each edge's derivative evaluated (when the
#: graph is), each term of the chains summed (when they are), and the finite differences'
#: forward passes at two thirds of their estimate (:func:`forward_pass_work`).
FORMULA_WORK = 130
EDGE_WORK = 30
CHAIN_TERM_WORK = 1

# -- explain: what the tour may cost, its sections each priced ---------------------------------
#
# The tour keeps to what it can say within about a second and a half of work (on top of the
# interpreter's start): past that, the check against numbers is left out (``chainrule verify``
# runs it), and past it without the check, the tour keeps to counts and operations.

#: Each node or edge of a computation graph built (250,000 take about 2 s).
GRAPH_ELEMENT_WORK = 8
#: Each partial of a chain written out, and each local formula printed (SymPy, once an edge).
PARTIAL_WORK = 5
LOCAL_FORMULA_WORK = 100
#: Each layer's equations of the matrix form, printed.
MATRIX_LAYER_WORK = 400
#: The most the tour may take: with the interpreter's start (0.75 s with SymPy, networkx and
#: numpy), about 2 s. 500 layers of width 2 price at 0.5 s of tour and 0.7 s of check: the
#: check is left out.
MAX_TOUR_WORK = 1_000_000

# -- draw: what plotting a picture may cost ---------------------------------------------------
#
# A drawing's time is matplotlib's: typesetting its labels (mathtext) and drawing its lines.
# Both are counted before anything is built (:func:`chainrule.records.draw.drawing_work`), in
# microseconds; fitted on 21 drawings from 1-1 to 1,448 lines on a 2-core machine (node labels
# 9 ms, the legend's partials 7 ms, lines 0.4 ms; within a third of each measured time).
# Those are mathtext's figures, which a graph file's picture still pays; a layered network's
# labels are plain text (about 1 ms a node), so its pictures are priced well above their cost.

#: One mathtext label (a node's name, one partial of a legend's product, a δ): parsed and laid
#: out once a save.
LABEL_WORK = 8_000
#: One line of the picture (an edge of the grey network, a chain, a δ's shading stroke).
LINE_WORK = 500
#: Every picture: the figure made, and a PNG's pixels encoded (0.2 s at 150 dpi).
DRAWING_BASE_WORK = 200_000
#: The most a drawing may take to plot: beside matplotlib's own start (about 0.85 s with the
#: rest of chainrule's imports), a drawing at the limit takes about 2 s. 784-512-512-10 (its
#: summary: 45 nodes, 494 lines) prices at 1.1 s; 14 layers of width 2 at 0.85 s.
MAX_DRAWING_WORK = 1_200_000

# -- what one input may hold: read, refused past these before any work -------------------------

#: The most bytes read from one input file (graph, case or data file): far above any real one,
#: and a symlink to /dev/zero is refused before it fills the memory.
INPUT_FILE_BYTES = 10_000_000
#: A graph file's size, and the names it declares (inputs, parameters, targets and nodes):
#: reading takes about a millisecond a formula (each built in SymPy), so 2,000 names read in
#: well under 2 s; a hand-written graph has dozens.
GRAPH_FILE_BYTES = 1_000_000
GRAPH_FILE_NAMES = 2_000
#: Uses of one node by another, over a graph file's formulas.
GRAPH_FILE_USES = 100_000
#: Nodes plus edges of an rnn: or resnet: architecture built: each node is a SymPy formula,
#: and building takes about a second per 20,000 elements.
ARCHITECTURE_ELEMENTS = 200_000
#: Counts are exact integers; Python prints none of more than 4,300 digits.
COUNT_DIGITS = 4_000
#: The most examples a case of named leaves may hold: far beyond a worked example.
CASE_EXAMPLES = 100_000
#: Numbers ``values`` writes by default (``--max-numbers``): about two seconds of formatting.
VALUES_MAX_NUMBERS = 5_000_000
#: Numbers of a case that ``chains --view numbers``, ``delta`` with a case and a worked
#: example's ``report`` compute and write beside a derivation by default (``--max-numbers``):
#: each is formatted on its own, in its place in a chain or a δ, about a microsecond apiece.
NUMBERS_WRITTEN = 1_000_000
#: Characters of claims read from a file (``check --file``): far beyond any derivation.
CLAIMS_FILE_CHARACTERS = 10_000_000
#: An entry's index longer than this is no entry of any graph that can be held (and int() of
#: thousands of digits is refused by Python itself); a longer name names no entry.
ENTRY_INDEX_DIGITS = 9
ENTRY_NAME_CHARACTERS = 200

# -- expressions: graph-file formulas and check's claims, one set of limits ---------------------
#
# Every reader (chainrule.graph.expression) keeps to these:
# - EXPRESSION_CHARACTERS of text: above any hand derivation and above the closed forms
#   chainrule prints (which read back as claims);
# - EXPRESSION_DEPTH levels of nesting (parentheses, signs, powers, functions), a function
#   counting EXPRESSION_FUNCTION_LEVELS: reading recurses through a few Python frames a level,
#   and SymPy's own recursion (differentiating, printing, proving) runs out of Python's stack
#   near 30 nested sigmoids, each four levels of SymPy's tree (1/(1 + exp(-z)));
# - EXPRESSION_EXPONENT for a constant exponent: derivations and graphs write squares and
#   cubes, while a power n of a sum expands to about n^k terms, and expansions are how a claim
#   is proven and how δ is proven equal to the path sum: (a + b)^1000 would stall every proof;
# - constants within 10^±EXPRESSION_LOG10_MAX (a float's range: a larger constant overflows
#   when a formula is evaluated at numbers), and numbers of at most EXPRESSION_DIGITS
#   characters (more would only spell a number past that range, or a precision nobody writes).

EXPRESSION_CHARACTERS = 20_000
EXPRESSION_DEPTH = 100
EXPRESSION_FUNCTION_LEVELS = 5
EXPRESSION_EXPONENT = 100
EXPRESSION_LOG10_MAX = 300
EXPRESSION_NUMBER = 10**EXPRESSION_LOG10_MAX
EXPRESSION_DIGITS = 400

# -- check: what judging one claim may cost ----------------------------------------------------

#: CPU seconds per claim compared; a hand derivation's proof takes milliseconds.
PROOF_SECONDS = 1.0
#: Terms an expansion may reach before a proof is not attempted.
PROOF_EXPANSION = 200_000
#: Chains fitted at once when looking for missing or extra chains.
CLAIM_CHAIN_FIT = 400
#: Chains of the claimed quantity: its true value is their sum.
CLAIM_CHAINS = 10_000
#: Nodes plus edges of a graph a claim is judged on: the numeric screen evaluates every one.
CLAIM_GRAPH = 5_000

# -- draw: what a picture may hold -------------------------------------------------------------

#: A weight's first DRAWN_CHAINS chains are drawn, and the notes say how many of how many.
DRAWN_CHAINS = 128
#: A graph view with more nodes than this is too crowded to label: it is drawn as neurons.
GRAPH_VIEW_NODES = 90

# -- the explorer: what the server and one request may use --------------------------------------

#: Worker processes (each request's work runs in one, and is stopped with it) and the seconds a
#: request may take before it is given up (503) and its worker replaced.
EXPLORER_WORKERS = 2
EXPLORER_TIMEOUT = 8.0
#: How long a new worker may take to start: a spawned one imports chainrule afresh.
WORKER_START_SECONDS = 60.0
#: Longest text accepted in one query value, and longest graph file sent (characters).
QUERY_VALUE_CHARACTERS = 200
SENT_GRAPH_CHARACTERS = 100_000
#: The numbers panel and training show every weight: at most this many.
PANEL_PARAMETERS = 5_000
#: How long a streamed training run may go on before it is stopped.
EXPLORER_TRAIN_SECONDS = 20.0
#: A summarised graph with more nodes than this is refused rather than drawn.
LAYOUT_NODES = 2_000

# -- the explorer's caps: what one request to the server may ask for ---------------------------

#: Each cap is the most a request may ask for, unless ``chainrule explore`` was started with
#: another value of the same option (its ``--limit``, ``--max-graph``). A graph of 50,000
#: nodes and edges takes a few tens of MB and well under a second to build; a training run
#: streams its epochs, and stops after 20 s however many were asked for.
EXPLORER_CAPS: Mapping[str, int] = {
    "limit": DEFAULT_CHAIN_LIMIT,
    "max_graph": 50_000,
    "examples": 64,
    "epochs": 20_000,
}

# -- how the front end that asked spells an option ----------------------------------------------


class FrontEnd(NamedTuple):
    """Who is asking: ``cli`` (options as ``--max-graph 9``), ``http`` (query parameters as
    ``max-graph=9``, with the server's caps) or ``python`` (keywords as ``max_graph=9``)."""

    kind: str
    caps: Mapping[str, int] = MappingProxyType({})


PYTHON = FrontEnd("python")
_FRONT_END: ContextVar[FrontEnd | None] = ContextVar("chainrule_front_end", default=None)


@contextlib.contextmanager
def front_end(kind: str, caps: Mapping[str, int] | None = None) -> Iterator[None]:
    """Within the block, refusals and advice are spelled for `kind` (``cli``, ``http`` or
    ``python``); `caps` are the explorer's, for ``http``."""
    token = _FRONT_END.set(FrontEnd(kind, MappingProxyType(dict(caps or {}))))
    try:
        yield
    finally:
        _FRONT_END.reset(token)


def current_front_end() -> FrontEnd:
    """The front end whose request is being answered (a Python caller unless one said)."""
    return _FRONT_END.get() or PYTHON


def spelled(option: str, value: object | None = None) -> str:
    """`option` (its keyword, ``max_graph``) with `value`, as the current front end writes it.

    Examples
    --------
    >>> spelled("max_graph", 9), spelled("limit", "10,000"), spelled("param", "l,j,k")
    ('max_graph=9', 'limit=10,000', "param='l,j,k'")
    >>> with front_end("cli"):
    ...     spelled("max_graph", 9), spelled("param", "l,j,k"), spelled("ops")
    ('--max-graph 9', '--param l,j,k', '--ops')
    >>> with front_end("http"):
    ...     spelled("max_graph", 9), spelled("param", "l,j,k")
    ('max-graph=9', 'param=l,j,k')
    """
    kind = current_front_end().kind
    if kind == "cli":
        name = "--" + option.replace("_", "-")
        return name if value is None else f"{name} {value}"
    if kind == "http":
        name = option.replace("_", "-")
        return name if value is None else f"{name}={value}"
    if value is None:
        return option
    if isinstance(value, str) and not value.replace(",", "").replace(".", "").isdigit():
        return f"{option}={value!r}"  # a Python caller passes text as a string
    return f"{option}={value}"


def limit_advice(needed: int, hint: str = "", option: str = "limit") -> str:
    """How to get past a refusal: raise `option` to `needed`, unless no sensible limit could go
    that far (a 61-digit hint helps nobody) or the explorer caps it below `needed`; `hint` ("
    or select fewer ...") follows.

    Examples
    --------
    >>> with front_end("cli"):
    ...     limit_advice(12, " or select fewer with --param l,j,k")
    'raise it with --limit 12 or select fewer with --param l,j,k'
    >>> limit_advice(10**20, " or select fewer with param=...")
    'far too many; select fewer with param=...'
    >>> with front_end("http", {"max_graph": 50_000}):
    ...     limit_advice(60_801, option="max_graph")
    'the explorer takes at most 50,000; start it with chainrule explore --max-graph 60801'
    """
    if len(str(needed)) > _SANE_HINT_DIGITS:
        return "far too many" + (f"; {hint.removeprefix(' or ')}" if hint else "")
    asking = current_front_end()
    cap = asking.caps.get(option)
    if asking.kind == "http" and cap is not None and needed > cap:
        flag = "--" + option.replace("_", "-")
        advice = f"the explorer takes at most {cap:,}; start it with chainrule explore {flag} "
        return advice + f"{needed}{hint}"
    return f"raise it with {spelled(option, needed)}{hint}"


def refuse(what: str, estimate: int, limit: int, option: str, hint: str = "") -> TooLarge:
    """The error for an estimate past its limit: the estimate, the limit, how to raise it."""
    return TooLarge(
        f"{estimate:,} {what}, more than the limit of {limit:,}; "
        f"{limit_advice(estimate, hint, option)}"
    )


def check(what: str, estimate: int, limit: int, option: str, hint: str = "") -> None:
    """Raise :func:`refuse`'s error if `estimate` passes `limit`."""
    if estimate > limit:
        raise refuse(what, estimate, limit, option, hint)


def case_numbers(sizes: tuple[int, ...], parameters: int, examples: int) -> int:
    """Numbers a numeric case holds while it is verified or trained: the weights and three
    arrays of gradients the size of the weights, and per example the inputs, every neuron's z,
    a and δ, and the targets.

    Examples
    --------
    >>> case_numbers((2, 2, 2), 8, 4)
    96
    """
    return 4 * parameters + examples * (sizes[0] + 3 * sum(sizes[1:]) + sizes[-1])


def forward_pass_work(sizes: tuple[int, ...], examples: int) -> int:
    """What one numeric forward pass of layer `sizes` on `examples` rows costs, in nanoseconds
    (measured on this machine): each layer's calls (:data:`LAYER_OVERHEAD_WORK`), its product
    with the examples, and each weight read from memory if its matrix is too large for the
    cache (:data:`STREAMED_WEIGHT_WORK`). 500 layers of width 2 cost little arithmetic and much
    overhead; a 500 x 500 matrix costs its reading.

    Examples
    --------
    >>> forward_pass_work((2, 2, 2), 4), forward_pass_work((2,) * 500, 4)
    (10002, 2495499)
    >>> forward_pass_work((500, 500, 10), 4)
    4112000
    """
    work = 0
    for below, above in zip(sizes, sizes[1:]):
        weights = below * above
        streamed = STREAMED_WEIGHT_WORK if weights > CACHED_WEIGHTS else 0
        work += LAYER_OVERHEAD_WORK + weights * examples // 10 + weights * streamed
    return work


def check_case(network, examples: int, max_numbers: int) -> None:
    """Refuse a case of `network` with `examples` rows whose arrays pass `max_numbers`."""
    numbers = case_numbers(network.sizes, network.parameter_count, examples)
    check(
        f"numbers in a case of {network.architecture} with {examples:,} example"
        f"{'' if examples == 1 else 's'}",
        numbers,
        max_numbers,
        "max_numbers",
    )


def matrix_form_work(sizes: tuple[int, ...], examples: int) -> int:
    """What evaluating the matrix form of layer `sizes` on `examples` rows costs, in
    nanoseconds: three numeric passes and :data:`MATRIX_FORM_LAYER_WORK` a layer.

    Examples
    --------
    >>> matrix_form_work((784, 512, 512, 10), 8) < MAX_MATRIX_FORM_WORK
    True
    >>> matrix_form_work((2,) * 5000, 4) > MAX_MATRIX_FORM_WORK
    True
    """
    return 3 * forward_pass_work(sizes, examples) + (len(sizes) - 1) * MATRIX_FORM_LAYER_WORK
