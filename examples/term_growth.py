"""How the work grows: expanded chain terms against backpropagation, with depth and with width.

Run: python examples/term_growth.py [output.png]   (needs matplotlib: pip install 'chainrule[plot]')
"""

import sys

from matplotlib.figure import Figure

import chainrule

output = sys.argv[1] if len(sys.argv) > 1 else "term_growth.png"
figure = Figure(figsize=(10, 4.2))
by_depth, by_width = figure.subplots(1, 2)

depths = range(3, 13)
for width in (2, 3, 4):
    networks = [chainrule.Network([width] * depth) for depth in depths]
    expanded = [sum(chainrule.operation_counts(n).expanded) for n in networks]
    reverse = [sum(chainrule.operation_counts(n).reverse) for n in networks]
    (line,) = by_depth.plot(depths, expanded, marker="o", label=f"expanded, width {width}")
    by_depth.plot(
        depths,
        reverse,
        marker="s",
        linestyle="--",
        color=line.get_color(),
        label=f"δ-factored, width {width}",
    )
    print(
        f"width {width}: depth 12 needs {expanded[-1]:,} operations expanded, "
        f"{reverse[-1]:,} with δ"
    )
    assert expanded[-1] > 100 * reverse[-1]
by_depth.set(
    yscale="log",
    xlabel="layers (L)",
    ylabel="multiplications + additions",
    title="deeper: exponential against linear",
)
by_depth.legend(fontsize=7)

widths = range(1, 17)
for depth in (3, 4, 5):
    networks = [chainrule.Network([w] * depth) for w in widths]
    (line,) = by_width.plot(
        widths,
        [sum(chainrule.operation_counts(n).expanded) for n in networks],
        marker="o",
        label=f"expanded, {depth} layers",
    )
    by_width.plot(
        widths,
        [sum(chainrule.operation_counts(n).reverse) for n in networks],
        marker="s",
        linestyle="--",
        color=line.get_color(),
        label=f"δ-factored, {depth} layers",
    )
by_width.set(yscale="log", xlabel="neurons per layer", title="wider: polynomial either way")
by_width.legend(fontsize=7)
figure.tight_layout()
figure.savefig(output, dpi=120)
print(f"wrote {output}")
