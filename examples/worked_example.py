"""A published worked example, reproduced number by number from the command line.

Matt Mazur's post "A Step by Step Backpropagation Example" (2015) works a 2-2-2 sigmoid network
by hand: inputs 0.05 and 0.10, targets 0.01 and 0.99, weights 0.15 ... 0.55, one bias per layer
(0.35 and 0.60, shared by the layer's neurons and never updated), E = ½ Σ (target − out)², and
a learning rate of 0.5. Its network is examples/graphs/mazur.json (in the post's own names:
net_h1, out_o1, E_total, ...) and its numbers examples/cases/mazur.json. Every figure the post
publishes is compared here with what ``chainrule values`` and ``chainrule train`` print, to the
digits the post prints; where they differ, the script shows which is right and why.

Then two staged computations of the Stanford CS231n notes "Backpropagation, Intuitions", and a
slip in another public softmax example found by ``chainrule values``.

Run: python examples/worked_example.py (it runs ``python -m chainrule`` for every number).
"""

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GRAPH = str(ROOT / "examples/graphs/mazur.json")
CASE = str(ROOT / "examples/cases/mazur.json")
LAYERED = str(ROOT / "examples/cases/mazur-2-2-2.json")
HELD = ["--freeze", "b1,b2"]  # the post never updates its biases


def chainrule(*argv: str) -> dict:
    """Run the command line and read its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", *argv, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def digits(published: str) -> int:
    """How many decimals the post prints."""
    return len(published.split(".")[1]) if "." in published else 0


def compare(rows: list[tuple[str, str, float]]) -> list[str]:
    """Print each published figure beside chainrule's, rounded to the post's digits."""
    differing = []
    for name, published, ours in rows:
        shown = f"{ours:.{digits(published)}f}"
        same = math.isclose(float(shown), float(published), abs_tol=0.0)
        verdict = "agrees" if same else "DIFFERS"
        print(f"  {name:<24} {published:>14}  {shown:>14}  {verdict}")
        if not same:
            differing.append(name)
    return differing


# --- the forward pass, the backward pass, one step -------------------------------------------

step = chainrule("values", GRAPH, "--case", CASE, "--lr", "0.5", *HELD)
forward = {name: row[0] for name, row in step["forward"].items()}
delta = {name: row[0] for name, row in step["deltas"].items()}
factor = {(f["of"], f["wrt"]): f["value"][0] for f in step["factors"]}
gradient, updated = step["gradients"], step["step"]["updated"]

print("A Step by Step Backpropagation Example (Matt Mazur, 2015), number by number\n")
print(f"  {'quantity':<24} {'published':>14}  {'chainrule':>14}")
differing = compare(
    [
        ("net_h1", "0.3775", forward["net_h1"]),
        ("out_h1", "0.593269992", forward["out_h1"]),
        ("out_h2", "0.596884378", forward["out_h2"]),
        ("net_o1", "1.105905967", forward["net_o1"]),
        ("out_o1", "0.75136507", forward["out_o1"]),
        ("out_o2", "0.772928465", forward["out_o2"]),
        ("E_o1", "0.274811083", forward["E_o1"]),
        ("E_o2", "0.023560026", forward["E_o2"]),
        ("E_total", "0.298371109", step["cost"]),
        ("dE_total/dout_o1", "0.74136507", factor["E_o1", "out_o1"]),
        ("dout_o1/dnet_o1", "0.186815602", factor["out_o1", "net_o1"]),
        ("dnet_o1/dw5", "0.593269992", factor["net_o1", "w5"]),
        ("dE_total/dw5", "0.082167041", gradient["w5"]),
        ("w5+", "0.35891648", updated["w5"]),
        ("w6+", "0.408666186", updated["w6"]),
        ("w7+", "0.511301270", updated["w7"]),
        ("w8+", "0.561370121", updated["w8"]),
        ("delta_o1 = dE/dnet_o1", "0.138498562", delta["net_o1"]),
        ("dE_o1/dout_h1", "0.055399425", delta["net_o1"] * factor["net_o1", "out_h1"]),
        ("dE_o2/dout_h1", "-0.019049119", delta["net_o2"] * factor["net_o2", "out_h1"]),
        ("dE_total/dout_h1", "0.036350306", delta["out_h1"]),
        ("dout_h1/dnet_h1", "0.241300709", factor["out_h1", "net_h1"]),
        ("dnet_h1/dw1", "0.05", factor["net_h1", "w1"]),
        ("dE_total/dw1", "0.000438568", gradient["w1"]),
        ("w1+", "0.149780716", updated["w1"]),
        ("w2+", "0.19956143", updated["w2"]),
        ("w3+", "0.24975114", updated["w3"]),
        ("w4+", "0.29950229", updated["w4"]),
        ("E_total after one round", "0.291027924", step["step"]["cost_after"]),
    ]
)

# --- training: the graph's own formulas, and numpy's layered 2-2-2, two independent ways ------

with tempfile.TemporaryDirectory() as scratch:
    trained_case = str(Path(scratch) / "trained.json")
    run = chainrule(
        "train",
        GRAPH,
        "--case",
        CASE,
        "--lr",
        "0.5",
        "--epochs",
        "10000",
        *HELD,
        "--save-case",
        trained_case,
    )
    after = chainrule("values", GRAPH, "--case", trained_case)
layered = chainrule(
    "train",
    "--case",
    LAYERED,
    "--lr",
    "0.5",
    "--epochs",
    "10000",
    "--freeze",
    "1,1,0,1,2,0,2,1,0,2,2,0",
)
costs = [row["cost"] for row in run["costs"]]
same_run = max(abs(a["cost"] - b["cost"]) for a, b in zip(run["costs"], layered["costs"]))
outputs = after["forward"]
differing += compare(
    [
        ("E_total after 10,000", "0.0000351085", costs[10_000]),
        ("out_o1 after 10,000", "0.015912196", outputs["out_o1"][0]),
        ("out_o2 after 10,000", "0.984065734", outputs["out_o2"][0]),
    ]
)
print(f"\nthe graph file and numpy's layered 2-2-2 train alike: largest difference {same_run:.1e}")

# --- the three figures that differ, and why ---------------------------------------------------

print(f"\ndiffering: {', '.join(differing)}\n")

# 1. dE_o2/dout_h1: the post rounds delta_o2 to nine places before halving it.
rounded = round(delta["net_o2"], 9) * 0.5
print(
    f"dE_o2/dout_h1 = delta_o2 * w7 = {delta['net_o2']:.10f} * 0.5 = "
    f"{delta['net_o2'] * 0.5:.10f}; from delta_o2 rounded to nine places first it is "
    f"{rounded:.10f}, the post's -0.019049119"
)

# 2. one round: the post's figure is the cost of a different update. Its companion script,
# before the commit "Update backprop algorithm so that hidden layer weight updates use original
# weights" (two days before the post), computed the hidden deltas with the output weights it
# had already updated. Those weights, through chainrule values, give the post's figure.
h1, h2 = forward["out_h1"], forward["out_h2"]
d_o1, d_o2 = delta["net_o1"], delta["net_o2"]
stale_h1 = (d_o1 * updated["w5"] + d_o2 * updated["w7"]) * h1 * (1 - h1)
stale_h2 = (d_o1 * updated["w6"] + d_o2 * updated["w8"]) * h2 * (1 - h2)
stale = dict(json.loads(Path(CASE).read_text())["values"])
stale.update({name: updated[name] for name in ("w5", "w6", "w7", "w8")})
stale.update(
    w1=0.15 - 0.5 * stale_h1 * 0.05,
    w2=0.20 - 0.5 * stale_h1 * 0.10,
    w3=0.25 - 0.5 * stale_h2 * 0.05,
    w4=0.30 - 0.5 * stale_h2 * 0.10,
)
with tempfile.TemporaryDirectory() as scratch:
    stale_case = Path(scratch) / "stale.json"
    stale_case.write_text(json.dumps({"values": stale}))
    stale_cost = chainrule("values", GRAPH, "--case", str(stale_case))["cost"]
print(
    f"one round: the update the post describes (every gradient at the starting weights) gives "
    f"{step['step']['cost_after']:.9f}; hidden deltas taken with the already-updated output "
    f"weights give {stale_cost:.9f}, the post's 0.291027924"
)

# 3. after training: the published cost is the right update's after 9,999 rounds, not 10,000;
# the published outputs are the stale update's after 10,000 rounds (plain Python, below).
print(
    f"after training: the right update gives {costs[9_999]:.10f} after 9,999 rounds (the "
    f"post's 0.0000351085) and {costs[10_000]:.10f} after 10,000"
)


def stale_training(rounds: int) -> tuple[float, float]:
    """The companion script's first update, written out again: hidden deltas from the output
    weights already updated."""
    w = [0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55]
    i1, i2, t1, t2 = 0.05, 0.10, 0.01, 0.99

    def sigmoid(z: float) -> float:
        return 1 / (1 + math.exp(-z))

    for _ in range(rounds):
        h1 = sigmoid(w[0] * i1 + w[1] * i2 + 0.35)
        h2 = sigmoid(w[2] * i1 + w[3] * i2 + 0.35)
        o1 = sigmoid(w[4] * h1 + w[5] * h2 + 0.60)
        o2 = sigmoid(w[6] * h1 + w[7] * h2 + 0.60)
        d1, d2 = (o1 - t1) * o1 * (1 - o1), (o2 - t2) * o2 * (1 - o2)
        w[4], w[5], w[6], w[7] = (
            w[4] - 0.5 * d1 * h1,
            w[5] - 0.5 * d1 * h2,
            w[6] - 0.5 * d2 * h1,
            w[7] - 0.5 * d2 * h2,
        )
        e1 = (d1 * w[4] + d2 * w[6]) * h1 * (1 - h1)
        e2 = (d1 * w[5] + d2 * w[7]) * h2 * (1 - h2)
        w[0], w[1], w[2], w[3] = (
            w[0] - 0.5 * e1 * i1,
            w[1] - 0.5 * e1 * i2,
            w[2] - 0.5 * e2 * i1,
            w[3] - 0.5 * e2 * i2,
        )
    h1 = sigmoid(w[0] * i1 + w[1] * i2 + 0.35)
    h2 = sigmoid(w[2] * i1 + w[3] * i2 + 0.35)
    return sigmoid(w[4] * h1 + w[5] * h2 + 0.60), sigmoid(w[6] * h1 + w[7] * h2 + 0.60)


o1, o2 = stale_training(10_000)
print(
    f"  the right update's outputs after 10,000 rounds: {outputs['out_o1'][0]:.9f} and "
    f"{outputs['out_o2'][0]:.9f}; the stale update's: {o1:.9f} and {o2:.9f} (the post's)"
)

# --- CS231n, "Backpropagation, Intuitions": two staged computations ----------------------------

print("\nCS231n, Backpropagation, Intuitions")
circuit = chainrule(
    "values",
    str(ROOT / "examples/graphs/cs231n-circuit.json"),
    "--case",
    str(ROOT / "examples/cases/cs231n-circuit.json"),
)
q, f = circuit["forward"]["q"][0], circuit["forward"]["f"][0]
grads = {name: circuit["deltas"][name][0] for name in ("x", "y", "z", "q")}
print(f"  f(x, y, z) = (x + y) z at (-2, 5, -4): q = {q:g}, f = {f:g}; gradients {grads}")
neuron = chainrule(
    "values",
    str(ROOT / "examples/graphs/cs231n-neuron.json"),
    "--case",
    str(ROOT / "examples/cases/cs231n-neuron.json"),
)
staged = {name: round(row[0], 2) for name, row in neuron["deltas"].items()}
print(f"  sigmoid neuron: f = {neuron['cost']:.2f}; each gate's gradient {staged}")

# --- a softmax example's slip, found by its own numbers ----------------------------------------

softmax = chainrule(
    "values",
    str(ROOT / "examples/graphs/softmax-ce.json"),
    "--case",
    str(ROOT / "examples/cases/softmax-ce.json"),
)
z4 = softmax["forward"]["z4"][0]
print(
    f"\nsoftmax example: z(4) = -0.1(0.426) + 0.2(0.5) + 0.1 = {z4:.4f}, not the published "
    f"0.185; so yhat_1 = {softmax['forward']['yhat1'][0]:.4f} (published 0.561) and "
    f"L = {softmax['cost']:.4f} (published 0.579)"
)

# The script checks itself: the figures that differ are these, each explained above.
assert differing == [
    "dE_o2/dout_h1",
    "E_total after one round",
    "E_total after 10,000",
    "out_o1 after 10,000",
    "out_o2 after 10,000",
], differing
assert f"{rounded:.9f}" == "-0.019049119" and f"{stale_cost:.9f}" == "0.291027924"
assert f"{costs[9_999]:.10f}" == "0.0000351085"
assert (f"{o1:.9f}", f"{o2:.9f}") == ("0.015912196", "0.984065734")
assert same_run < 1e-12 and (q, f) == (3.0, -12.0) and f"{z4:.4f}" == "0.1574"
print("\nevery published figure reproduced or its difference explained")
