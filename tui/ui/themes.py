"""Presentation mode: a high-contrast theme and a CSS class for showing a mapping on a projector.

An analyst walking stakeholders through "what a site event becomes in WebEngage" needs text that
survives a washed-out projector, more air between things, and no credentials on the wall. The app
toggles the `-presentation` class (on the App, so every pushed screen inherits it; on a Screen it
works for that screen alone) and switches to the `webengage-present` theme; `set_presentation` does
both and remembers the theme to go back to.

Widgets holding secrets (the credentials panel, a key field, a connection summary that names the
license code) carry the class `credentials` (or `secret`): presentation mode removes them from the
layout entirely, rather than masking them, so nothing about them can be read off a screen share.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.app import App
from textual.theme import Theme

from tui.webengage.entry import LogEntry
from tui.webengage.request import Connection

PRESENTATION_CLASS = "-presentation"
PRESENTATION_THEME_NAME = "webengage-present"
SECRET_CLASSES = ("credentials", "secret")
"""Classes that mark a widget as showing credentials: hidden entirely in presentation mode."""

PRESENTATION_THEME = Theme(
    name=PRESENTATION_THEME_NAME,
    primary="#4DA3FF",
    secondary="#FFD24D",
    accent="#FFD24D",
    warning="#FFB000",
    error="#FF5C5C",
    success="#3DDC84",
    foreground="#FFFFFF",
    background="#000000",
    surface="#0A0A0A",
    panel="#1A1A1A",
    boost="#FFFFFF",
    dark=True,
    luminosity_spread=0.25,
    text_alpha=1.0,
    variables={
        "border": "#FFFFFF",
        "border-blurred": "#BBBBBB",
        "block-cursor-background": "#FFD24D",
        "block-cursor-foreground": "#000000",
        "block-cursor-text-style": "bold",
        "footer-key-foreground": "#FFD24D",
        "input-selection-background": "#4DA3FF 50%",
    },
)

PRESENTATION_CSS = """
.-presentation .credentials, .-presentation .secret, .-presentation #topbar {
    display: none !important;  /* at every width: no layout rule may bring them back */
}
App.-presentation Screen, Screen.-presentation {
    padding: 1 2;
}
.-presentation DataTable {
    text-style: bold;
}
.-presentation DataTable > .datatable--header {
    text-style: bold reverse;
}
.-presentation Static, .-presentation Label {
    text-style: bold;
}
.-presentation .hint, .-presentation .muted {
    text-style: none;
    color: $foreground;
}
.-presentation .panel, .-presentation .section {
    margin: 1 0;
    padding: 1 2;
    border: heavy $foreground;
}
.-presentation Footer {
    text-style: bold;
}
"""
"""Include in the App's CSS (CSS = ... + PRESENTATION_CSS, or via `presentation.tcss`)."""


def register_themes(app: App[Any]) -> None:
    """Make `webengage-present` available to `app.theme` and to the command palette."""
    app.register_theme(PRESENTATION_THEME)


def set_presentation(app: App[Any], enabled: bool, *, normal_theme: str = "textual-dark") -> None:
    """Turn presentation mode on or off for the whole app: the class on the App, the theme switched.

    `normal_theme` is the theme to go back to when it is turned off (the app's configured one).
    """
    if PRESENTATION_THEME_NAME not in app.available_themes:
        register_themes(app)
    app.set_class(enabled, PRESENTATION_CLASS)
    app.theme = PRESENTATION_THEME_NAME if enabled else normal_theme


def is_presentation(app: App[Any]) -> bool:
    return app.has_class(PRESENTATION_CLASS)


HIDDEN = "‹hidden›"


def conceal(text: str, connection: Connection, *, presenting: bool) -> str:
    """In presentation mode, the license code and the (redacted) key become ‹hidden›.

    The credentials panel disappears in presentation mode; text that names them (a URL, an
    Authorization header, a verdict, a top bar) must not bring them back onto the projector.
    """
    if not presenting:
        return text
    for secret in secrets_of(connection):
        text = text.replace(secret, HIDDEN)
    return text


def secrets_of(connection: Connection) -> list[str]:
    """What presentation mode hides for `connection`: the redacted key and the license code."""
    return [
        secret
        for secret in (connection.redacted_key(), connection.license_code)
        if secret and secret != "(no key)"
    ]


def entry_secrets(entry: LogEntry) -> list[str]:
    """What presentation mode hides in an entry: its license code and its (redacted) key."""
    key = entry.request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return [secret for secret in (key, entry.license_code) if secret]


def conceal_text(text: Text, secrets: Iterable[str]) -> Text:
    """`conceal` for styled text: each secret becomes ‹hidden›, the styles around it kept."""
    for secret in secrets:
        if not secret:
            continue
        while (start := text.plain.find(secret)) >= 0:
            text = text[:start] + Text(HIDDEN, style="dim") + text[start + len(secret) :]
    return text
