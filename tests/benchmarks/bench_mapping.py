"""Mapping + validation of the spec's worked example, in µs per event (PRODUCT.md §8: under 50 µs).

A plain script (`python tests/benchmarks/bench_mapping.py`), not collected by pytest. Prints the
best of many short rounds (and the median) for map+validate alone, and for the whole `preview_event` (request included).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tui.mapping.blueprint import default_blueprint
from tui.mapping.mapper import map_event
from tui.mapping.preview import preview_event
from tui.mapping.signal import coerce_event
from tui.mapping.validation import validate
from tui.webengage.request import Connection

TARGET_US = 50.0
WORKED_EXAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "worked-example.json"


def timings_us(
    function: Callable[[], object], number: int = 2_000, rounds: int = 40
) -> list[float]:
    """µs per call for each of `rounds` short batches, sorted: short, so some land in a quiet
    moment on a busy machine; the best is the code's speed, the median what a loaded machine gives."""
    results = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(number):
            function()
        results.append((time.perf_counter() - start) / number * 1e6)
    return sorted(results)


def main() -> int:
    raw = json.loads(WORKED_EXAMPLE.read_text())
    blueprint = default_blueprint()
    connection = Connection(license_code="va1w264d")
    now = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)

    def map_and_validate() -> object:
        event, findings = coerce_event(raw)
        assert event is not None
        mapped = map_event(event, blueprint, now)
        return findings + mapped.findings + validate(mapped)

    def whole_preview() -> object:
        return preview_event(raw, connection, blueprint, now=now)

    mapping = timings_us(map_and_validate)
    preview = timings_us(whole_preview)
    mapping_us = mapping[0]
    print(
        f"mapping + validation of the worked example: {mapping_us:.1f} µs/event "
        f"(median {statistics.median(mapping):.1f})"
    )
    print(
        f"preview_event (with the request):           {preview[0]:.1f} µs/event "
        f"(median {statistics.median(preview):.1f})"
    )
    verdict = "OK" if mapping_us < TARGET_US else "OVER"
    print(f"target: under {TARGET_US:.0f} µs/event: {verdict}")
    return 0 if mapping_us < TARGET_US else 1


if __name__ == "__main__":
    sys.exit(main())
