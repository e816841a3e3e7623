"""What every presenter of a JSON document shares: the one way a record is written as JSON.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> write_json({"cost": float("nan"), "ok": True}, out)
>>> print(out.getvalue().strip())
{
  "cost": null,
  "ok": true
}
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TextIO

from chainrule.files import json_safe
from chainrule.lazy import lazy

if TYPE_CHECKING:
    import json
else:
    json = lazy("json")  # a command that prints no JSON does not pay for loading it


def write_json(document: Any, out: TextIO, ascii: bool = True) -> None:
    """One JSON document, indented, NaN and infinities written as null (they are not JSON)."""
    json.dump(json_safe(document), out, indent=2, allow_nan=False, ensure_ascii=ascii)
    out.write("\n")
