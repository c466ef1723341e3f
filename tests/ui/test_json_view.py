"""JsonView (the preview's body) and JsonArea (the editor): what they show, and that a keystroke
repaints only the rows it changed, leaving none stale."""

from __future__ import annotations

import json

from rich.style import Style
from textual.app import App, ComposeResult
from textual.geometry import Offset
from textual.pilot import Pilot
from textual.selection import Selection
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets.text_area import TextAreaTheme

from tui.ui.widgets.json_area import JsonArea
from tui.ui.widgets.json_view import JsonView, tokens

BODY = json.dumps(
    {
        "userId": "u1",
        "eventData": {"amount": -39.8e-2, "ok": True, "none": None, "tags": ["a", 'b"c']},
    },
    indent=2,
)
LONG = json.dumps({f"attr_{i:03d}": f"value-{i}" * (1 + i % 9) for i in range(60)}, indent=2)


class CountingView(JsonView):
    """A JsonView that notes the rows Textual asks it to render."""

    rendered: list[int]

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)


class CountingArea(JsonArea):
    """A JsonArea that notes the rows Textual asks it to render."""

    rendered: list[int]

    def render_line(self, y: int) -> Strip:
        self.rendered.append(y)
        return super().render_line(y)


class ViewApp(App[None]):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        view = CountingView(self.text, id="view")
        view.rendered = []
        yield view


class AreaApp(App[None]):
    def compose(self) -> ComposeResult:
        area = CountingArea(LONG, language="json", show_line_numbers=True, id="area")
        area.rendered = []
        area.cursor_blink = False
        yield area


def style_of(strip: Strip, text: str) -> Style:
    return next(segment.style for segment in strip if segment.text == text and segment.style)


def test_tokens_cut_a_line_into_json_tokens_and_keep_every_character() -> None:
    assert tokens('    "tags": ["a", "b\\"c"],') == [
        ("    ", ""),
        ('"tags"', "key"),
        (":", "delimiter"),
        (" ", ""),
        ("[", "bracket"),
        ('"a"', "string"),
        (",", "delimiter"),
        (" ", ""),
        ('"b\\"c"', "string"),
        ("]", "bracket"),
        (",", "delimiter"),
    ]
    assert [kind for _, kind in tokens('"n": -3.9e-1, true false null')] == [
        *("key", "delimiter", "", "number", "delimiter", ""),
        *("boolean", "", "boolean", "", "null"),
    ]
    for line in ("not json {at: all", "", '"unclosed \\" string', "   "):
        assert "".join(text for text, _ in tokens(line)) == line


async def test_the_view_shows_the_text_in_the_text_areas_colours() -> None:
    app = ViewApp(BODY)
    async with app.run_test(size=(60, 14)) as pilot:
        await pilot.pause()
        view = app.query_one(CountingView)
        assert view.text == BODY
        lines = BODY.split("\n")
        assert [view.render_line(y).text.rstrip() for y in range(len(lines))] == lines
        syntax = TextAreaTheme.get_builtin_theme("css")
        assert syntax is not None
        colours = syntax.syntax_styles
        row = view.render_line(1)
        assert style_of(row, '"userId"').color == colours["json.label"].color
        assert style_of(row, '"u1"').color == colours["string"].color
        assert style_of(view.render_line(3), "-0.398").color == colours["number"].color
        assert style_of(view.render_line(4), "true").color == colours["boolean"].color


async def repainted_by(pilot: Pilot[None], view: CountingView, text: str) -> list[int]:
    """`view.update(text)`: the rows it repainted."""
    view.rendered.clear()
    view.update(text)
    await pilot.pause()
    return list(view.rendered)


async def test_an_update_repaints_only_the_changed_row() -> None:
    app = ViewApp(BODY)
    async with app.run_test(size=(60, 14)) as pilot:
        await pilot.pause()
        view = app.query_one(CountingView)
        assert await repainted_by(pilot, view, BODY.replace('"u1"', '"u2"')) == [1]
        assert view.render_line(1).text.rstrip() == '  "userId": "u2",'
        same = BODY.replace('"u1"', '"u2"')  # nothing changed: nothing repainted
        assert await repainted_by(pilot, view, same) == []


async def test_lines_added_or_removed_move_the_rows_below() -> None:
    app = ViewApp(BODY)
    async with app.run_test(size=(60, 14)) as pilot:
        await pilot.pause()
        view = app.query_one(CountingView)
        added = f'"eventName": "{"long " * 8}",'
        longer = BODY.replace('"userId": "u1",', f'"userId": "u1",\n  {added}')
        repainted = await repainted_by(pilot, view, longer)
        lines = longer.split("\n")
        assert set(repainted) >= set(range(2, len(lines)))
        assert view.virtual_size.width == len(f"  {added}")
        assert [view.render_line(y).text.rstrip() for y in range(len(lines))] == lines
        view.update(BODY)  # a line fewer, and the longest gone
        await pilot.pause()
        lines = BODY.split("\n")
        assert view.virtual_size == (max(map(len, lines)), len(lines))
        assert [view.render_line(y).text.rstrip() for y in range(len(lines) + 1)] == [*lines, ""]


async def test_the_view_scrolls_with_the_keyboard() -> None:
    app = ViewApp(LONG)
    async with app.run_test(size=(40, 10)) as pilot:
        view = app.query_one(CountingView)
        view.focus()
        await pilot.press("pagedown")
        await pilot.wait_for_scheduled_animations()
        assert view.scroll_offset.y > 0
        await pilot.press("end")
        await pilot.wait_for_scheduled_animations()
        assert view.render_line(view.scrollable_content_region.height - 1).text.rstrip() == "}"
        await pilot.press("right", "right")
        await pilot.wait_for_scheduled_animations()
        assert view.scroll_offset.x > 0


async def test_text_is_selected_and_copied() -> None:
    app = ViewApp(BODY)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(CountingView)
        app.screen.selections = {view: Selection(Offset(2, 1), Offset(10, 1))}
        await pilot.pause()
        assert app.screen.get_selected_text() == '"userId"'
        selected = style_of(view.render_line(1), '"userId"')
        assert selected.bgcolor != style_of(view.render_line(1), '"u1"').bgcolor
        await pilot.mouse_down(view, offset=(2, 1))  # a drag, as a user selects
        await pilot.hover(view, offset=(10, 2))
        await pilot.mouse_up(view, offset=(10, 2))
        assert app.screen.get_selected_text() == '"userId": "u1",\n  "eventDat'
        view.focus()
        await pilot.press("ctrl+a", "ctrl+c")
        assert app.clipboard == BODY


async def test_a_theme_change_repaints_in_the_new_colours() -> None:
    app = ViewApp(BODY)
    async with app.run_test(size=(60, 14)) as pilot:
        view = app.query_one(CountingView)
        await pilot.pause()
        dark = style_of(view.render_line(0), "{").bgcolor
        app.theme = "textual-light"
        await pilot.pause()
        assert style_of(view.render_line(0), "{").bgcolor != dark


async def typed(pilot: Pilot[None], area: CountingArea, *keys: str) -> set[int]:
    """Type `keys` into `area`: the rows it repainted. Fails if a full repaint would draw any row
    differently from what is drawn (then a row was left stale)."""
    area.rendered.clear()
    await pilot.press(*keys)
    await pilot.pause()
    repainted = set(area.rendered)
    drawn = area.render_lines(area.outer_size.region)
    area.refresh()
    assert area.render_lines(area.outer_size.region) == drawn, f"stale rows after {keys}"
    return repainted


def rows_of(area: JsonArea, row: int) -> set[int]:
    """The rows on screen of document line `row` (soft wrap may give it several)."""
    wrapped = area.wrapped_document
    top = wrapped.location_to_offset((row, 0)).y - area.scroll_offset.y
    return set(range(top, top + len(wrapped.get_sections(row))))


async def editing(pilot: Pilot[None], location: tuple[int, int]) -> CountingArea:
    """The app's editor focused, its cursor at `location`."""
    area = pilot.app.query_one(CountingArea)
    area.focus()
    area.cursor_location = location
    await pilot.pause()
    return area


async def test_a_keystroke_in_the_editor_repaints_only_its_row() -> None:
    async with AreaApp().run_test(size=(60, 20)) as pilot:
        area = await editing(pilot, (5, 20))
        assert await typed(pilot, area, "x") == rows_of(area, 5)
        assert await typed(pilot, area, "backspace") == rows_of(area, 5)


async def test_an_edit_that_changes_other_rows_repaints_them() -> None:
    async with AreaApp().run_test(size=(60, 20)) as pilot:
        area = await editing(pilot, (1, 0))
        repainted = await typed(pilot, area, '"')  # an unclosed quote re-colours the rows below
        assert repainted > rows_of(area, 1) | rows_of(area, 2)
        await typed(pilot, area, "backspace")
        area.cursor_location = (4, 0)
        await pilot.pause()
        repainted = await typed(pilot, area, "enter")  # a line more: every row below moves
        assert repainted >= set(range(min(rows_of(area, 4)), area.size.height))
        await typed(pilot, area, "{")  # the cursor by a bracket: its match is drawn too
        await typed(pilot, area, "ctrl+z")


COMPONENTS = (
    "text-area--cursor",
    "text-area--gutter",
    "text-area--cursor-gutter",
    "text-area--cursor-line",
    "text-area--selection",
    "text-area--matching-bracket",
)


def remembered_styles_are_current(area: JsonArea) -> list[Style]:
    """The editor's component styles as it draws them; fails if any differs from what the CSS
    gives now (the memo kept a stale one)."""
    kept = [area.get_component_rich_style(name) for name in COMPONENTS]
    fresh = [Widget.get_component_rich_style(area, name) for name in COMPONENTS]
    assert kept == fresh
    return kept


async def test_the_editors_remembered_styles_follow_theme_focus_and_read_only() -> None:
    async with AreaApp().run_test(size=(60, 20)) as pilot:
        area = await editing(pilot, (5, 20))
        focused = remembered_styles_are_current(area)
        area.blur()
        await pilot.pause()
        blurred = remembered_styles_are_current(area)
        area.focus()
        await pilot.pause()
        assert remembered_styles_are_current(area) == focused
        app = pilot.app
        app.theme = "textual-light"
        await pilot.pause()
        light = remembered_styles_are_current(area)
        assert light != focused
        area.read_only = True
        await pilot.pause()
        remembered_styles_are_current(area)
        app.ansi_color = True
        await pilot.pause()
        remembered_styles_are_current(area)
        assert blurred  # (the styles before a refocus are drawn the same way again)
        await typed(pilot, area, "x")  # and an edit, after all that, leaves no row stale
