"""Sample properties for each Signal event of the Default blueprint, shipped with the package:
what the composer offers when another event is picked."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def sample_properties() -> dict[str, dict[str, Any]]:
    """Event name (or "page" / "identify") -> its sample properties (or traits)."""
    found: dict[str, dict[str, Any]] = {}
    for item in resources.files(__name__).iterdir():
        if not item.name.endswith(".json"):
            continue
        event = json.loads(item.read_text("utf-8"))
        name = event.get("event") or event.get("type", "")
        values = event.get("properties", event.get("traits", {}))
        if isinstance(name, str) and isinstance(values, dict):
            found[name] = values
    return found
