"""webengage-debugger: see what a Signal event becomes on WebEngage's wire, send it, learn why it failed.

The domain (no Textual): `webengage` (the API and its client), `mapping` (Signal events to requests),
`store` (what is kept on disk), `delivery` (the one delivery path). Outside it: `sandbox` (a fake
WebEngage), `ui` (the Textual app that composes the domain) and `cli` (the command line).
"""

__version__ = "0.1.0"
