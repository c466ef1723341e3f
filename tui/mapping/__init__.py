"""Signal events to WebEngage requests: events, blueprints, mapping, validation, the preview."""
