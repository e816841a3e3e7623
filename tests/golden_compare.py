"""Whether two golden records show the same behaviour: text as text, numbers as numbers.

A record's outputs are compared token by token: the text between numbers must be identical, and
so must every integer; two decimals agree when they are the same value up to the rounding of
their last printed digits (or within :data:`RELATIVE` of each other, for the 17-digit floats of
a JSON document). The error columns of a verification are noise by nature: on another CPU, or
with another BLAS, the sum of the same products rounds differently, and ``1.73e-18`` becomes
``1.36e-15``. What chainrule decides there is the verdict, so in a row whose verdict is
``agrees`` (the text tables of ``verify``, ``explain`` and ``report``, in text, Markdown, LaTeX
and HTML) and in a JSON method whose ``"ok"`` is true, the error figures are compared as "within
the method's tolerance", which the verdict already states. Everything else, every gradient
digit and every verdict included, must agree, so a real change of behaviour still fails.

A picture (an SVG file, or the figure in a report's HTML) is matplotlib's drawing of what
chainrule asked for. With the matplotlib that drew the records (:data:`DRAWN_WITH`) it is
compared like any text; with another release, which lays text out a point or two differently and
names its glyphs otherwise, it is compared by what it draws (:func:`drawing`): every element, its
id and its style, and every label's text, in order.

``tests/test_golden.py`` (the replay) and ``tests/golden/capture.py`` (the capture, and its
``--check``) both decide with :func:`differences`, so the two use the same rule.

Examples
--------
>>> same_output("cost J = 0.0499553129995", "cost J = 0.0499553129996")  # last digit's rounding
True
>>> same_output("cost J = 0.0499553129995", "cost J = 0.0499553139995")  # a changed value
False
>>> same_output("2-2-2 has 52 terms", "2-2-2 has 53 terms")  # integers are exact
False
>>> row = "expanded chain sum     {}  7.42e-16       rtol 1e-09, atol 1e-12  agrees"
>>> same_output(row.format("1.73e-18"), row.format("1.36e-15"))  # an agreeing error column
True
>>> same_output(row.format("1.73e-18"), row.format("1.73e-18").replace("agrees", "DISAGREES"))
False
"""

from __future__ import annotations

import difflib
import functools
import re
from decimal import Decimal

#: A number as chainrule prints one: digits, maybe a decimal point, maybe an exponent. A sign is
#: left to the text around it, so that "2-2-2" reads as the same tokens on both sides.
_NUMBER = re.compile(r"(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")

#: Two decimals also agree within this relative difference: the 17 significant digits of a JSON
#: float carry the rounding of the sum order in their last few, and a training run carries it
#: through its epochs. It is far below any change of chainrule's behaviour.
RELATIVE = 1e-9

#: The placeholder an agreeing error figure becomes on both sides before the comparison.
WITHIN_TOLERANCE = "<within tolerance>"

#: An error figure as the verification tables print it (three significant digits, an exponent),
#: with the padding after it, whose width follows the figure's (``1.78e-176`` or ``0.00e+00``).
_ERROR_FIGURE = re.compile(r"\b(?:\d\.\d\de[-+]\d+|inf|nan)\b[ \t]*")
#: A table row (a line; in HTML a line holds one <tr>) whose verdict is "agrees".
_AGREEING_ROW = re.compile(r"^.*\bagrees\b.*$", re.MULTILINE)
#: One method's entry of verify --json: a flat object holding its errors and its verdict.
_JSON_METHOD = re.compile(r"\{[^{}]*\}")
_JSON_ERROR = re.compile(r'("max_(?:abs|rel)_error":\s*)(?:-?[0-9][0-9.eE+-]*|null)')
DIFF_LINES = 60  # of a unified diff, in a message

#: The matplotlib release that drew the pictures of the expected records (their SVG says so, and
#: test_golden checks that they agree).
DRAWN_WITH = "3.11.2"
#: A picture as matplotlib writes it, on its own or inside a report's HTML.
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
#: The glyph outlines and clip paths an SVG defines: matplotlib's, named by its release.
_SVG_DEFINITIONS = re.compile(r"<defs>.*?</defs>", re.S)
#: A comment (matplotlib writes each label's text in one) or an element's opening tag.
_SVG_PART = re.compile(r"<!--(.*?)-->|<(\w+)\b([^>]*)>", re.S)
_SVG_ID = re.compile(r'\bid="([^"]*)"')
_SVG_STYLE = re.compile(r'\bstyle="([^"]*)"')


def _mask_agreeing_errors(text: str) -> str:
    """`text` with the error figures of every agreeing verification row and agreeing JSON method
    replaced by :data:`WITHIN_TOLERANCE`.

    Examples
    --------
    >>> _mask_agreeing_errors("finite differences  9.65e-14  3.72e-10    rtol 1e-06  agrees")
    'finite differences  <within tolerance> <within tolerance> rtol 1e-06  agrees'
    >>> _mask_agreeing_errors("sympy.diff  inf  inf  rtol 1e-09, atol 1e-12  DISAGREES")
    'sympy.diff  inf  inf  rtol 1e-09, atol 1e-12  DISAGREES'
    >>> _mask_agreeing_errors('{"max_abs_error": 1.3e-17, "ok": true}')
    '{"max_abs_error": <within tolerance>, "ok": true}'
    """
    text = _AGREEING_ROW.sub(
        lambda row: _ERROR_FIGURE.sub(WITHIN_TOLERANCE + " ", row.group(0)), text
    )

    def method(block: re.Match) -> str:
        body = block.group(0)
        if not re.search(r'"ok":\s*true', body):
            return body
        return _JSON_ERROR.sub(rf"\g<1>{WITHIN_TOLERANCE}", body)

    return _JSON_METHOD.sub(method, text)


def _last_digit(number: str) -> Decimal:
    """One unit in the last printed digit of `number` (of its mantissa, times its exponent).

    Examples
    --------
    >>> _last_digit("273.923375"), _last_digit("-3.117912690063e-163")
    (Decimal('0.000001'), Decimal('1E-175'))
    """
    mantissa, _, exponent = number.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return Decimal(1).scaleb(int(exponent or 0) - decimals)


def _numbers_agree(expected: str, actual: str) -> bool:
    """Whether two printed numbers are the same value: integers exactly, decimals up to the
    rounding of their last printed digits or within :data:`RELATIVE`."""
    if expected == actual:
        return True
    if not any(mark in text.lower() for text in (expected, actual) for mark in ".e"):
        return False  # integers (counts, indices, sizes) are exact
    a, b = Decimal(expected), Decimal(actual)
    difference = abs(a - b)
    if difference <= max(_last_digit(expected), _last_digit(actual)):
        return True
    return difference <= Decimal(RELATIVE) * max(abs(a), abs(b))


def drawing(svg: str) -> str:
    """What an SVG picture shows, one line for each element outside its definitions (its tag,
    id and style: which lines, in which colour and width) and for each label (its text), in
    order; not where matplotlib put them, nor the glyphs it drew the text with.

    Examples
    --------
    >>> print(drawing('''<svg><defs><path id="DejaVuSans-31" d="M 0 0"/></defs>
    ...   <g id="line2d_1"><path d="M 35.1 179.6 L 194.5 179.6" style="stroke: #d9d9d9"/></g>
    ...   <g id="text_1"><!-- $x_{1}$ --><use xlink:href="#DejaVuSans-31" x="10"/></g></svg>'''))
    <svg>
    <g line2d_1>
    <path stroke: #d9d9d9>
    <g text_1>
    <!-- $x_{1}$ -->
    """
    lines = []
    for match in _SVG_PART.finditer(_SVG_DEFINITIONS.sub("", svg)):
        comment, tag, attributes = match.groups()
        if comment is not None:
            lines.append(f"<!--{comment}-->")
        elif tag != "use":  # a glyph placed: its name and place are matplotlib's
            named = [pattern.search(attributes) for pattern in (_SVG_ID, _SVG_STYLE)]
            lines.append(" ".join([f"<{tag}", *(m.group(1) for m in named if m)]) + ">")
    return "\n".join(lines)


@functools.cache
def _drawn_with() -> str | None:
    """The release of the installed matplotlib, if there is one."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matplotlib")
    except PackageNotFoundError:
        return None


def same_output(expected: str, actual: str) -> bool:
    """Whether two outputs (a stream or a file's text) show the same behaviour."""
    if _drawn_with() != DRAWN_WITH:
        expected, actual = (
            _SVG.sub(lambda svg: drawing(svg.group(0)), text) for text in (expected, actual)
        )
    expected, actual = _mask_agreeing_errors(expected), _mask_agreeing_errors(actual)
    if _NUMBER.sub("#", expected) != _NUMBER.sub("#", actual):
        return False  # the text between the numbers differs, or their count
    return all(
        _numbers_agree(a, b)
        for a, b in zip(_NUMBER.findall(expected), _NUMBER.findall(actual), strict=True)
    )


def _diff(what: str, expected: str, actual: str) -> str:
    """A unified diff of `expected` against `actual`, cut to DIFF_LINES lines."""
    lines = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"expected {what}",
            tofile=f"actual {what}",
        )
    )
    if len(lines) > DIFF_LINES:
        lines = lines[:DIFF_LINES] + [f"... ({len(lines) - DIFF_LINES} more diff lines)\n"]
    return "".join(line if line.endswith("\n") else line + "\n\\ no newline\n" for line in lines)


def differences(expected: dict, actual: dict) -> list[str]:
    """Readable descriptions of how the record `actual` behaves differently from `expected`.

    Examples
    --------
    >>> record = {"argv": ["count", "1-1"], "exit": 0, "stdout": "a\\nb 0.5\\n", "stderr": "",
    ...           "files": {"r.md": "x\\n"}}
    >>> differences(record, dict(record, stdout="a\\nb 0.50000000000001\\n"))
    []
    >>> changed = dict(record, exit=2, stdout="a\\nc 0.5\\n", files={})
    >>> print("\\n".join(differences(record, changed)))
    exit status 0 expected, 2 returned
    --- expected stdout
    +++ actual stdout
    @@ -1,2 +1,2 @@
     a
    -b 0.5
    +c 0.5
    <BLANKLINE>
    files differ: missing ['r.md'], unexpected []
    """
    found = []
    if expected["argv"] != actual["argv"]:
        found.append(f"argv {expected['argv']} expected, {actual['argv']} run")
    if expected["exit"] != actual["exit"]:
        found.append(f"exit status {expected['exit']} expected, {actual['exit']} returned")
    for stream in ("stdout", "stderr"):
        if not same_output(expected[stream], actual[stream]):
            found.append(_diff(stream, expected[stream], actual[stream]))
    names, actual_names = set(expected["files"]), set(actual["files"])
    if names != actual_names:
        found.append(
            f"files differ: missing {sorted(names - actual_names)}, "
            f"unexpected {sorted(actual_names - names)}"
        )
    for name in sorted(names & actual_names):
        if not same_output(expected["files"][name], actual["files"][name]):
            found.append(_diff(f"file {name}", expected["files"][name], actual["files"][name]))
    return found
