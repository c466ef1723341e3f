"""Small renderables shared by the extra screens."""

from __future__ import annotations

import json
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.text import Text


def json_text(value: Any) -> Text:
    """Pretty JSON in the theme's colours (Syntax themes paint blocks behind tokens instead)."""
    try:
        dumped = json.dumps(value, ensure_ascii=False, indent=2)
    except (TypeError, ValueError, RecursionError):
        dumped = repr(value)
    text = Text(dumped)
    JSONHighlighter().highlight(text)
    return text
