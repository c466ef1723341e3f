"""LogTable: the delivery log's line-drawn table (rows by key, a row cursor, the header fixed)."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip

from tui.ui.widgets.log_table import LogTable


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.heard: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield LogTable(id="t")

    def on_mount(self) -> None:
        table = self.query_one(LogTable)
        table.add_column("time", key="time")
        table.add_column("outcome", key="outcome")
        table.add_rows([(f"k{i}", [Text(f"row {i}"), Text("accepted")]) for i in range(50)])
        table.focus()

    def on_log_table_row_highlighted(self, message: LogTable.RowHighlighted) -> None:
        self.heard.append(("highlighted", message.row_key))

    def on_log_table_row_selected(self, message: LogTable.RowSelected) -> None:
        self.heard.append(("selected", message.row_key))

    def on_log_table_edge_reached(self, message: LogTable.EdgeReached) -> None:
        self.heard.append(("edge", message.edge))


async def test_keys_move_the_cursor_and_the_edges_ask_for_more() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LogTable)
        await pilot.pause()
        assert table.render_line(0).text.split() == ["time", "outcome"]  # the header
        await pilot.press("up")  # at the top: the log is asked for older rows
        await pilot.press("down", "down", "pagedown")
        await pilot.pause()
        assert table.cursor_row > 2 and table.cursor_key == f"k{table.cursor_row}"
        await pilot.press("end", "down", "enter")
        await pilot.pause()
        assert table.cursor_key == "k49"
        assert ("edge", "older") in app.heard and ("edge", "newer") in app.heard
        assert app.heard[-1] == ("selected", "k49")
        seen = table.scrollable_content_region.height - 1
        assert table.scroll_offset.y == 50 - seen  # the cursor's row is on screen
        assert "row 49" in table.render_line(seen).text


async def test_cells_rows_and_clicks() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LogTable)
        table.update_cell("k1", "outcome", Text("a much longer outcome"))
        await pilot.pause()
        assert "a much longer outcome" in table.render_line(2).text  # the column grew
        table.remove_row("k0")
        assert table.row_count == 49 and table.get_row_index("k1") == 0
        await pilot.click(LogTable, offset=(2, 3))  # the third row (k0 is gone): highlighted
        assert table.cursor_key == "k3"
        await pilot.click(LogTable, offset=(2, 3))  # again: selected
        assert app.heard[-1] == ("selected", "k3")
        table.clear()
        assert table.row_count == 0 and table.cursor_key is None


async def test_replacing_the_rows_is_one_change_and_one_highlight() -> None:
    """A page of the history: the rows replaced, the cursor put on a row by key, one
    RowHighlighted (none when the cursor stays on its entry), and no layout pass when the new
    page is as long and as wide as the last."""
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LogTable)
        await pilot.pause()
        size = table.virtual_size
        app.heard.clear()
        page = [(f"k{i}", [Text(f"row {i}"), Text("accepted")]) for i in range(25, 75)]
        table.replace_rows(page, cursor="k30")
        await pilot.pause()
        assert table.ordered_keys == [key for key, _ in page]
        assert table.cursor_key == "k30" and table.get_row_index("k30") == 5
        assert app.heard == [("highlighted", "k30")]
        assert table.virtual_size == size  # (so Textual lays nothing out again)
        table.replace_rows(page[::-1], cursor="k30")  # the same entry under the cursor
        await pilot.pause()
        assert app.heard == [("highlighted", "k30")] and table.cursor_row == 44
        table.replace_rows(page, cursor="gone")  # not among the rows: the last one
        assert table.cursor_key == "k74"
        table.replace_rows(page, cursor=0)
        assert table.cursor_key == "k25" and table.scroll_offset.y == 0


async def test_a_move_to_the_row_the_cursor_is_on_draws_nothing() -> None:
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(LogTable)
        await pilot.pause()
        table.move_cursor(row=0)
        await pilot.pause()
        drawn: list[int] = []
        original = table.render_line

        def render_line(y: int) -> Strip:
            drawn.append(y)
            return original(y)

        table.render_line = render_line  # type: ignore[method-assign]
        await pilot.press("pageup")  # on the first row: the edge, and no redraw
        await pilot.pause()
        assert app.heard[-1] == ("edge", "older") and drawn == []
