"""The Markdown reports: the blueprint's table and one event side by side, ready to paste."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from tui.mapping.blueprint import default_blueprint, load_blueprint
from tui.mapping.preview import preview_event
from tui.mapping.report import blueprint_markdown, resolve, side_by_side_markdown
from tui.webengage.request import Connection

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CONNECTION = Connection(license_code="va1w264d")
NOW = datetime(2026, 6, 6, 18, 30, tzinfo=UTC)


def table_rows(markdown: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split(" | ")]
        for line in markdown.splitlines()
        if line.startswith("| ") and not line.startswith("|---")
    ]


def test_blueprint_table_is_the_spec_table() -> None:
    markdown = blueprint_markdown(default_blueprint())
    rows = table_rows(markdown)
    assert rows[0] == ["Signal event", "WebEngage event"]
    assert rows[1] == ["`page`", "Page Viewed"]
    assert ["Product Added", "Added to Cart"] in rows
    assert ["Products Searched", "Searched"] in rows
    assert ["`order_id`", "`orderId`"] in rows and ["`revenue`", "`amount`"] in rows


def test_custom_blueprint_table() -> None:
    markdown = blueprint_markdown(load_blueprint(FIXTURES / "blueprints" / "custom.toml"))
    assert "| `page` | Page Visited |" in markdown
    assert "| Wishlist Shared | Wishlist Shared |" in markdown


def test_side_by_side_worked_example() -> None:
    raw = json.loads((FIXTURES / "worked-example.json").read_text())
    markdown = side_by_side_markdown(preview_event(raw, CONNECTION, now=NOW))
    assert markdown.startswith(
        "### Order Completed: Signal → WebEngage `POST /v1/accounts/va1w264d/events`"
    )
    rows = table_rows(markdown)
    assert rows[0][0] == "Signal field"
    assert [
        "`$.properties.revenue`",
        "`39.8`",
        "`$.eventData.amount`",
        "`39.8`",
        "renamed: revenue → amount",
    ] in rows
    assert [
        "`$.timestamp`",
        '`"2026-06-06T18:29:00Z"`',
        "`$.eventTime`",
        '`"2026-06-06T18:29:00+0000"`',
        "event time: converted to UTC",
    ] in rows
    assert "Findings" not in markdown


def test_side_by_side_escapes_and_lists_findings() -> None:
    raw = {"event": "A|B", "anonymous_id": "a", "properties": {"x|y": None, "long": "z" * 200}}
    markdown = side_by_side_markdown(preview_event(raw, CONNECTION, now=NOW))
    assert '`$.properties["x\\|y"]`' in markdown
    assert "…" in markdown
    assert "- **warning**" in markdown
    for line in markdown.splitlines():
        if line.startswith("| "):
            assert line.replace("\\|", "").count("|") == 6


def test_side_by_side_of_a_non_event() -> None:
    markdown = side_by_side_markdown(preview_event("nope", CONNECTION, now=NOW))
    assert "(not an event)" in markdown and "- **error** `$`" in markdown


def test_resolve_paths() -> None:
    document = {"a": {"b c": [10, {"d": 1}]}}
    assert resolve(document, '$.a["b c"][1].d') == 1
    assert resolve(document, "$.a") == {"b c": [10, {"d": 1}]}
    missing = resolve(document, "$.x")
    assert resolve(document, '$.a["b c"][5]') is missing
    assert resolve(document, None) is missing
