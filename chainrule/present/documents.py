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

import json
from typing import Any, TextIO

from chainrule.files import json_safe


def write_json(document: Any, out: TextIO, ascii: bool = True) -> None:
    """One JSON document, indented, NaN and infinities written as null (they are not JSON)."""
    json.dump(json_safe(document), out, indent=2, allow_nan=False, ensure_ascii=ascii)
    out.write("\n")
