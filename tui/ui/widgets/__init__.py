"""The app's panels and its own modal screens (help, entry detail, file picker)."""
