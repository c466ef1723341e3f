"""JSON text fast, byte for byte what `json.dumps(ensure_ascii=False, ...)` writes, for plain data.

`json.dumps` with `indent` runs Python's pure-Python encoder (its C encoder serves only compact
text) at ~3 µs a value; `indented` writes the same text several times faster for the values a
mapping makes (exact `dict`, `list`, `tuple`, `str`, `int`, `float`, `bool`, `None`, string keys,
not absurdly deep), and answers None for anything else, so the caller takes the general way.
`compact` is `json.dumps` with its encoder kept (the C one, as `json.dumps` uses it).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

INDENTED_DEPTH_MAX = 50
"""Deeper than this, `indented` gives way (the general way checks and notes absurd nesting)."""

_INFINITY = float("inf")
_int_text = int.__repr__
_float_text = float.__repr__
_SCALARS: dict[type, Callable[[Any], str]] = {
    str: encode_basestring,
    int: _int_text,
    bool: lambda value: "true" if value else "false",
    type(None): lambda _: "null",
}


_KEYS: dict[str, str] = {}
"""Object keys as written before their value (`"eventName": `), kept: the same few names come
in event after event. At most `_KEYS_MAX` of at most 64 characters (others are written each
time)."""
_KEYS_MAX = 4096


class _NotPlain(Exception):
    """A value `indented` leaves to `json.dumps` (an unusual type, a non-string key, deep)."""


def _float(value: float) -> str:
    """As `json.dumps` writes a float (allow_nan: NaN, Infinity and -Infinity as literals)."""
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return _float_text(value)


def _scalar(value: Any) -> str:
    """The text of a scalar of an exact JSON type (`_NotPlain` for anything else)."""
    kind = type(value)
    writer = _SCALARS.get(kind)
    if writer is not None:
        return writer(value)
    if kind is float:
        return _float(value)
    raise _NotPlain


def _text(value: Any, newline: str, step: str, seps: tuple[str, str], depth: int) -> str:
    """The text of container `value`, its closing bracket on `newline` (its own line's indent)."""
    if depth > INDENTED_DEPTH_MAX:
        raise _NotPlain
    if not value:
        return "{}" if type(value) is dict else "[]"
    inner = newline + step
    item_sep, key_sep = seps
    items: list[str] = []
    append = items.append
    if type(value) is dict:
        keys = _KEYS if key_sep == ": " else {}
        for key, child in value.items():
            if type(key) is not str:
                raise _NotPlain
            head = keys.get(key)
            if head is None:
                head = encode_basestring(key) + key_sep
                if len(keys) < _KEYS_MAX and len(key) <= 64:
                    keys[key] = head
            kind = type(child)
            if kind is str:  # (the usual values first, written here: no call of ours for them)
                append(head + encode_basestring(child))
            elif kind is float and child - child == 0.0:  # (finite)
                append(head + _float_text(child))
            elif kind is dict or kind is list or kind is tuple:
                append(head + _text(child, inner, step, seps, depth + 1))
            else:
                append(head + _scalar(child))
        return "{" + inner + (item_sep + inner).join(items) + newline + "}"
    for child in value:
        kind = type(child)
        if kind is dict or kind is list or kind is tuple:
            append(_text(child, inner, step, seps, depth + 1))
        else:
            append(_scalar(child))
    return "[" + inner + (item_sep + inner).join(items) + newline + "]"


def indented(
    value: Any, indent: int | str, separators: tuple[str, str] | None = None, level: int = 0
) -> str | None:
    """`json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)` for plain
    data (see the module); None when `value` holds anything else (then nothing is promised).
    `level`: the text as it reads nested that deep in a larger document (its lines indented)."""
    return indented_writer(indent, separators, level)(value)


def indented_writer(
    indent: int | str, separators: tuple[str, str] | None = None, level: int = 0
) -> Callable[[Any], str | None]:
    """`indented` with these arguments worked out once, for a stream of values written alike."""
    step = indent if isinstance(indent, str) else " " * indent
    seps = separators or (",", ": ")
    newline = "\n" + step * level

    def write(value: Any) -> str | None:
        try:
            kind = type(value)
            if kind is not dict and kind is not list and kind is not tuple:
                return _scalar(value)
            return _text(value, newline, step, seps, level + 1)
        except (_NotPlain, ValueError, TypeError, RecursionError):  # (ValueError: a long integer)
            return None

    return write


_ENCODERS: dict[tuple[Any, ...], json.JSONEncoder] = {}


def compact(
    value: Any,
    separators: tuple[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """`json.dumps(value, ensure_ascii=False, separators=separators, default=default)`, with the
    encoder built once per (separators, default) rather than on every call (same errors too)."""
    key = (separators, default)
    encoder = _ENCODERS.get(key)
    if encoder is None:
        if len(_ENCODERS) > 64:  # (a caller making a new `default` each time)
            _ENCODERS.clear()
        encoder = _ENCODERS[key] = json.JSONEncoder(
            ensure_ascii=False, separators=separators, default=default
        )
    return encoder.encode(value)
