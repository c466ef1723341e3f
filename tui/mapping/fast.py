"""Building trusted pydantic models fast: the mapping makes ~20 of them per event, 50 µs in all.

`construct` does what `BaseModel.model_construct` does when every field is given and already of
the right type, without its per-call bookkeeping (about 3x faster). Only for values the domain
built itself; anything from outside goes through validation.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__


def construct(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of `cls` holding `values` (every field of `cls`, each of its declared type)."""
    instance = cls.__new__(cls)
    _set(instance, "__dict__", values)
    _set(instance, "__pydantic_fields_set__", set(values))
    _set(instance, "__pydantic_extra__", None)
    _set(instance, "__pydantic_private__", None)
    return instance
