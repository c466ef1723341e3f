"""An event read from somewhere other than a plain JSON value: the object, plus where it was read.

A `Tagged` is a dict (JSON carries it, the preview shows it) that also says the shape it was read
from and, for one found inside another file (a HAR entry), where: `origin`, e.g.
"HAR entry 3: POST https://api.segment.io/v1/t at 2026-06-06T18:29:00.120Z".
"""

from __future__ import annotations

from typing import Any


class Tagged(dict[str, Any]):
    __slots__ = ("origin", "shape")

    def __init__(self, value: dict[str, Any], shape: str, origin: str | None = None) -> None:
        super().__init__(value)
        self.shape = shape  # a formats.Format value
        self.origin = origin
