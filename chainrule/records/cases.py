"""The numbers a gradient is checked on: a case file's, or a random case drawn as verify draws it.

``verify`` and ``paths`` evaluate their gradients on one case: read from a case file (``case``,
whose network and numbers are fixed), or drawn from the architecture, ``seed``, ``examples``
and ``init_scale`` within ``max_numbers``. The options a case file makes meaningless are
refused by name, spelled as the front end that asked spells them (``--seed``, ``seed=``).

Examples
--------
>>> from chainrule.graph.spec import Network
>>> case, origin = draw(Network([2, 2, 1]), examples=3, seed=1, init_scale=0.5)
>>> case.inputs.shape, origin
((3, 2), 'seed 1, weights from [-0.5, 0.5]')
>>> refuse_conflicts(SubjectRequest("2-2-1", bias=True), seed=0, examples=4, init_scale=1.0)
Traceback (most recent call last):
...
chainrule.errors.SpecError: the case file sets the network; drop bias, activation and cost, \
or leave out case
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainrule import budget
from chainrule.errors import SpecError
from chainrule.graph.spec import Network
from chainrule.records.subject import SubjectRequest, resolve

if TYPE_CHECKING:
    from chainrule.numeric.case import Case

#: Examples in a random case unless asked otherwise (``paths`` draws one).
DEFAULT_EXAMPLES = 4


def refuse_conflicts(
    subject: SubjectRequest,
    seed: int,
    examples: int,
    init_scale: float,
    default_examples: int = DEFAULT_EXAMPLES,
) -> None:
    """Refuse, beside a case file, what the file fixes: the network's shape (``bias``,
    ``activation``, ``cost``) and the drawing of random numbers (``seed``, ``examples``,
    ``init_scale`` away from their defaults)."""
    leave_out = f"or leave out {budget.spelled('case')}"
    if subject.shaped:
        raise SpecError(
            f"the case file sets the network; drop {budget.spelled('bias')}, "
            f"{budget.spelled('activation')} and {budget.spelled('cost')}, {leave_out}"
        )
    drawn = [
        budget.spelled(option)
        for option, given in (
            ("seed", seed != 0),
            ("examples", examples != default_examples),
            ("init_scale", init_scale != 1.0),
        )
        if given
    ]
    if drawn:
        one = len(drawn) == 1
        raise SpecError(
            f"the case file holds the numbers; {', '.join(drawn)} "
            f"{'draws' if one else 'draw'} a random case: drop {'it' if one else 'them'}, "
            f"{leave_out}"
        )


def _architecture_word() -> str:
    """What the subject's argument is called where it was given: ARCH on the command line."""
    return {"cli": "ARCH", "http": "arch"}.get(budget.current_front_end().kind, "architecture")


def load(case: Any, architecture: object = None) -> tuple[Case, str]:
    """The case of a case file (its path) or a :class:`~chainrule.numeric.case.Case` given, and
    where its numbers came from; an `architecture` given as well must have the file's sizes."""
    from chainrule.numeric.case import Case
    from chainrule.verification.casefile import load_case

    if isinstance(case, Case):
        loaded, origin = case, "the case given"
    else:
        loaded, origin = load_case(case), f"case file {case}"
    if architecture:
        sizes = (
            architecture.sizes
            if isinstance(architecture, Network)
            else Network.parse(str(architecture)).sizes
        )
        if sizes != loaded.network.sizes:
            raise SpecError(
                f"{_architecture_word()} {architecture} and the case file's sizes "
                f"{loaded.network.architecture} disagree; give one of them"
            )
    return loaded, origin


def draw(
    network: Network,
    examples: int = DEFAULT_EXAMPLES,
    seed: int = 0,
    init_scale: float = 1.0,
    max_numbers: int = budget.DEFAULT_MAX_NUMBERS,
) -> tuple[Case, str]:
    """A random case of `network`, refused past `max_numbers` before anything is drawn, and
    where its numbers came from."""
    from chainrule.numeric.case import random_case

    case = random_case(
        network, examples=examples, seed=seed, init_scale=init_scale, max_numbers=max_numbers
    )
    return case, f"seed {seed}, weights from [-{init_scale:g}, {init_scale:g}]"


def missing_subject() -> SpecError:
    """The error for a request that names neither an architecture nor a case file (the
    explorer takes no case file: a graph file instead)."""
    kind = budget.current_front_end().kind
    if kind == "cli":
        return SpecError("give an architecture (ARCH) or a case file (--case FILE)")
    if kind == "http":
        return SpecError("give an architecture (arch) or a graph file (graph)")
    return SpecError("give an architecture such as '2-2-2' or a case file (case='FILE')")


def case_for(options: Any, default_examples: int = DEFAULT_EXAMPLES) -> tuple[Case, str]:
    """The case of a layered network named by parsed options (``architecture``, ``case``, the
    network options and the drawing options, as attributes): from the case file, or drawn as
    ``verify`` draws it."""
    subject = SubjectRequest(
        options.architecture,
        bias=options.bias,
        activation=options.activation,
        cost=options.cost,
        max_graph=getattr(options, "max_graph", budget.DEFAULT_MAX_GRAPH),
    )
    if options.case:
        refuse_conflicts(
            subject, options.seed, options.examples, options.init_scale, default_examples
        )
        return load(options.case, options.architecture)
    if not options.architecture:
        raise missing_subject()
    return draw(
        resolve(subject).layered_network(),
        options.examples,
        options.seed,
        options.init_scale,
        getattr(options, "max_numbers", budget.DEFAULT_MAX_NUMBERS),
    )
