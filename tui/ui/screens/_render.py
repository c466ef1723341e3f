"""Small renderables shared by the extra screens."""

from __future__ import annotations

import json
from typing import Any

from rich.highlighter import JSONHighlighter
from rich.text import Text

from tui.core.request import Connection


def json_text(value: Any) -> Text:
    """Pretty JSON in the theme's colours (Syntax themes paint blocks behind tokens instead)."""
    try:
        dumped = json.dumps(value, ensure_ascii=False, indent=2)
    except (TypeError, ValueError, RecursionError):
        dumped = repr(value)
    text = Text(dumped)
    JSONHighlighter().highlight(text)
    return text


HIDDEN = "‹hidden›"


def conceal(text: str, connection: Connection, *, presenting: bool) -> str:
    """In presentation mode, the license code and the (redacted) key are replaced by ‹hidden›.

    The credentials panel disappears in presentation mode; text that names them (a URL, a
    verdict) must not bring them back onto the projector.
    """
    if not presenting:
        return text
    for secret in (connection.redacted_key(), connection.license_code):
        if secret and secret != "(no key)":
            text = text.replace(secret, HIDDEN)
    return text
