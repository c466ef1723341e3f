"""The mapping view: the worked example (plus a nested object, a date and a null) field by field."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from rich.console import Console
from textual.widgets import Static, TabbedContent

from tui.mapping.blueprint import default_blueprint
from tui.mapping.preview import preview_event
from tui.mapping.report import resolve as resolve_path
from tui.ui.screens.mapping import MappingScreen, short_path, trace_counts
from tui.ui.themes import PRESENTATION_CLASS, set_presentation
from tui.webengage.request import Connection

from .conftest import Host, keep_screenshot

ROOT = Path(__file__).resolve().parents[2]


def worked_example_plus() -> dict[str, Any]:
    """The integration spec's worked example, with one field for each remaining kind of change."""
    event: dict[str, Any] = json.loads(
        (ROOT / "fixtures" / "worked-example.json").read_text(encoding="utf-8")
    )
    event["properties"]["shipping"] = {"city": "Pune"}
    event["properties"]["delivered_at"] = "2026-06-08T10:15:30.250+05:30"
    event["properties"]["coupon"] = None
    return event


def rendered(static: Static, width: int = 160) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(static.content)
    return console.export_text()


def test_resolve_path_reads_the_mappings_paths() -> None:
    doc = {"a": {"b c": [1, {"d": 2}]}}
    assert resolve_path(doc, '$.a["b c"][1].d') == 2
    assert resolve_path(doc, "$.a.x") is not None and resolve_path(doc, "$.a.x") != 2
    assert short_path("$.properties.order_id") == "properties.order_id"


async def test_fields_tab_tags_every_kind_of_change(tmp_path: Path) -> None:
    connection = Connection(license_code="lc-demo")
    event = worked_example_plus()
    preview = preview_event(event, connection)
    assert preview.mapped is not None
    app = Host(lambda: MappingScreen(default_blueprint(), preview, export_dir=tmp_path))
    async with app.run_test(size=(80, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, MappingScreen)
        fields = rendered(screen.query_one("#fields-table", Static), width=140)
        for tag in ("renamed", "flattened", "as Date", "dropped", "unchanged"):
            assert tag in fields, tag
        assert "properties.order_id" in fields and "eventData.orderId" in fields
        assert "eventData.shipping_city" in fields
        assert "not sent" in fields
        counts = trace_counts(screen.trace)
        assert counts.startswith("11 fields: 2 renamed · 1 flattened · 1 as Date · 1 dropped")
        summary = str(screen.query_one("#mapping-summary", Static).content)
        assert "Order Completed → Order Completed" in summary
        keep_screenshot(app, "mapping-fields-80")

        await pilot.press("3")
        assert screen.query_one(TabbedContent).active == "blueprint"
        table = rendered(screen.query_one("#blueprint-table", Static))
        assert "Product Added" in table and "Added to Cart" in table
        assert "▶ Order Completed" in table and "custom pass-through" in table
        keep_screenshot(app, "mapping-blueprint")
        await pilot.press("2")
        keep_screenshot(app, "mapping-payloads")

        await pilot.press("e")
        await pilot.pause()
        exported = screen.exported_path
        assert exported is not None and exported.parent == tmp_path
        assert exported.stat().st_mode & 0o777 == 0o600
        markdown = exported.read_text(encoding="utf-8")
        assert "| Signal event | WebEngage event |" in markdown
        assert "`$.properties.order_id`" in markdown and "renamed" in markdown
        assert app.clipboard == markdown
        await pilot.press("escape")
        await pilot.pause()
    assert app.results == [None]


async def test_a_custom_event_is_marked_as_pass_through() -> None:
    preview = preview_event(
        {"event": "Wishlist Shared", "user_id": "u1", "properties": {"list": "summer"}},
        Connection(license_code="lc"),
    )
    app = Host(lambda: MappingScreen(default_blueprint(), preview))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        table = rendered(app.screen.query_one("#blueprint-table", Static))
        assert "Wishlist Shared" in table and "custom: not in blueprint" in table


async def test_no_event_shows_the_blueprint_only() -> None:
    app = Host(lambda: MappingScreen(default_blueprint(), None))
    async with app.run_test(size=(100, 30)):
        screen = app.screen
        assert isinstance(screen, MappingScreen)
        assert "blueprint only" in str(screen.query_one("#mapping-summary", Static).content)
        assert "no Signal event" not in screen.markdown()
        assert "Blueprint: Default" in screen.markdown() or "Blueprint:" in screen.markdown()


async def test_presentation_mode_shows_no_credentials_on_the_mapping_view() -> None:
    connection = Connection(license_code="lc-secret-7", api_key=SecretStr("k" * 24))
    preview = preview_event(worked_example_plus(), connection)
    app = Host(lambda: MappingScreen(default_blueprint(), preview))
    async with app.run_test(size=(100, 30)) as pilot:
        set_presentation(app, True)
        await pilot.pause()
        assert app.has_class(PRESENTATION_CLASS) and app.theme == "webengage-present"
        keep_screenshot(app, "mapping-presentation")
        for tab in ("1", "2", "3"):
            await pilot.press(tab)
            await pilot.pause()
            shown = app.export_screenshot()
            assert "lc-secret-7" not in shown
            assert "kkkk" not in shown and "••••" not in shown
        set_presentation(app, False)
        assert not app.has_class(PRESENTATION_CLASS) and app.theme == "textual-dark"


async def test_blueprint_tab_lists_the_property_renames() -> None:
    app = Host(lambda: MappingScreen(default_blueprint(), None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        rules = rendered(app.screen.query_one("#blueprint-rules", Static))
        assert "order_id" in rules and "orderId" in rules and "amount" in rules
        assert "nulls dropped" in rules
