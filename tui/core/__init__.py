"""The pure domain: mapping, findings, hints, the WebEngage client and the sandbox. Never imports Textual."""
