"""The Textual UI: a thin layer over `tui.core` (build it with `tui.ui.app.create_app`)."""
