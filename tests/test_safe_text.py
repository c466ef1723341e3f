"""Untrusted text reaches a terminal with its control characters visible, never obeyed."""

from __future__ import annotations

import pytest

from tui.safe_text import is_safe, visible


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),  # OSC 52: writes the clipboard
        ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),  # OSC 0: retitles the pane
        ("\x1b[2J", "\\x1b[2J"),  # clears the screen
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("del\x7f", "del\\x7f"),
        ("\ud800", "\\ud800"),  # a lone surrogate cannot even be encoded
        ("Order Completed", "Order Completed"),
        ("naïve 日本語 ✓", "naïve 日本語 ✓"),
    ],
)
def test_visible(raw: str, shown: str) -> None:
    assert visible(raw) == shown
    assert is_safe(visible(raw))


def test_newlines_stay_unless_one_line() -> None:
    assert visible("a\nb\tc") == "a\nb\tc"
    assert visible("a\nb\tc", one_line=True) == "a\\x0ab\\x09c"
    assert visible("a\r\nb") == "a\\x0d\nb"
