"""Untrusted text made safe for a terminal: control characters and bidirectional overrides shown.

An event name from a loaded file, a `user_id`, a row of the history, a server's error message or a
request the sandbox logs may hold escape sequences: `ESC]52;...` writes the clipboard, `ESC]0;...`
retitles the pane, `ESC[2J` clears the screen, and U+202E reverses what follows. `visible` turns
each such character into its escape (`\\x1b`, `\\u202e`), so it is seen and never obeyed. Every
sink that prints untrusted text to a terminal uses it (the TUI shows the result as Rich `Text`,
never as markup); JSON output stays exact, escaped JSON.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Arabic letter mark, LRM/RLM, the embeddings and overrides, and the isolates."""

_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with every control character (C0, C1, ESC, DEL), bidirectional control and lone
    surrogate replaced by its escape. Tabs and newlines stay, unless `one_line` (then they are
    escaped too: a table cell or a log line)."""
    pattern = _UNSAFE_ONE_LINE if one_line else _UNSAFE
    return pattern.sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when `visible` would not change `text` (tabs and newlines allowed)."""
    return _UNSAFE.search(text) is None
