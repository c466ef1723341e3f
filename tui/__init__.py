"""webengage-debugger: see what a Signal event becomes on WebEngage's wire, send it, learn why it failed.

`tui.core` is the pure domain (no Textual); `tui.ui` is the Textual app that composes it.
"""

__version__ = "0.1.0"
