"""The Textual UI: a thin layer over the domain (build it with `tui.ui.app.create_app`)."""
