"""Updating a Static without laying the whole screen out again when its size cannot change.

`Static.update` asks for a layout pass, and Textual lays out the whole screen: with the delivery
log's table on screen a pass costs ~30 ms, and the log filter's count is set on every page of the
history. Mostly to the same text, or to one as tall. (The log's hint pane is a HintView, whose
size never follows its text.)
"""

from __future__ import annotations

from textual.visual import VisualType
from textual.widgets import Static


def show_text(static: Static, content: VisualType) -> None:
    """`static.update(content)`: nothing if `content` is already shown; a layout pass only when
    the new content can change the widget's size (another height at the same width; any change
    if its width follows its content; unset, a Static fills its container's width)."""
    if static.content == content:
        return
    size = static.size
    width = static.styles.width
    if not size.width or (width is not None and width.is_auto):
        static.update(content)
        return
    static.update(content, layout=False)
    if static.get_content_height(size, size, size.width) != size.height:
        static.refresh(layout=True)
