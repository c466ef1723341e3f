"""Values JSON cannot carry (NaN, ±Infinity, non-JSON objects) or that nest too deep, anywhere
inside an attribute's value: validation's findings about them, and the quick look that says there
are none (`plain_json`, which builds no paths).
"""

from __future__ import annotations

import math
from typing import Any

from tui.mapping.mapped import child_path, finding
from tui.webengage.findings import Finding, Severity

MAX_VALUE_DEPTH = 64
"""Arrays/objects inside an attribute nested deeper than this are refused (JSON tools choke on them)."""


def value_findings(value: Any, path: str, findings: list[Finding]) -> None:
    """Values JSON cannot carry (NaN, Infinity, non-JSON objects), anywhere inside `value`."""
    if isinstance(value, str | bool | int) or value is None:
        return
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                findings.append(
                    finding(
                        Severity.ERROR,
                        where,
                        f"{non_finite(item)} cannot be carried by JSON",
                        "send a number, or leave the property out",
                        "not-json",
                    )
                )
        elif isinstance(item, list | tuple):
            if depth >= MAX_VALUE_DEPTH:
                findings.append(too_deep(where))
                continue
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, dict):
            if depth >= MAX_VALUE_DEPTH:
                findings.append(too_deep(where))
                continue
            for key, child in item.items():
                if not isinstance(key, str):
                    findings.append(
                        finding(
                            Severity.ERROR,
                            where,
                            f"object key {key!r} is not a string",
                            "use string keys",
                            "not-json",
                        )
                    )
                    continue
                stack.append((child, child_path(where, key), depth + 1))
        elif not (isinstance(item, str | bool | int) or item is None):
            findings.append(
                finding(
                    Severity.ERROR,
                    where,
                    f"a {type(item).__name__} is not a JSON value",
                    "send a string, number, boolean, array or object",
                    "not-json",
                )
            )


def too_deep(path: str) -> Finding:
    return finding(
        Severity.ERROR,
        path,
        f"nested deeper than {MAX_VALUE_DEPTH} levels",
        "flatten the data before sending it",
        "too-deep",
    )


PLAIN = frozenset({str, int, bool, type(None)})


def plain_json(value: Any) -> bool:
    """True when `value` holds nothing `value_findings` would report (quick, builds no paths)."""
    kind = type(value)
    if kind in PLAIN:
        return True
    if kind is float:
        return math.isfinite(value)
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind in PLAIN:
            continue
        if kind is float:
            if not math.isfinite(item):
                return False
        elif kind is list:
            if depth >= MAX_VALUE_DEPTH:
                return False
            stack.extend((child, depth + 1) for child in item)
        elif kind is dict:
            if depth >= MAX_VALUE_DEPTH:
                return False
            for key, child in item.items():
                if type(key) is not str:
                    return False
                stack.append((child, depth + 1))
        else:
            return False
    return True


def non_finite(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
