"""The live preview: the exact request WebEngage would get, and the findings under it.

It is redrawn on every keystroke, so each part is updated only when its text changed, and the body
goes into a JsonView (tui.ui.widgets.json_view): a read-only Line-API view that repaints only the
lines whose text changed, one row for a keystroke's edit.

What the user sees is the frame, not the widget: a keystroke's edit in the composer would be drawn
at once, and the preview it causes ~17 ms later (Textual draws at most 60 frames a second, and each
widget's repaint reaches the screen a turn of the event loop after it was asked for). So when the
body changes, RequestBody holds the app's frames (`App.batch_update`) until its own repaint is on
its way to the screen: the editor and the preview land in the same frame.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widgets import Static

from tui.safe_text import visible
from tui.ui.themes import conceal_text, is_presentation, secrets_of
from tui.ui.widgets.json_view import JsonView
from tui.webengage.findings import Finding, Severity

if TYPE_CHECKING:
    from tui.mapping.preview import Preview

SEVERITY_STYLE = {
    Severity.ERROR: ("✗", "bold red"),
    Severity.WARNING: ("!", "bold yellow"),
    Severity.INFO: ("i", "bold cyan"),
}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def findings_text(findings: list[Finding]) -> Text:
    """Findings, errors first: what is wrong, where, and the fix."""
    if not findings:
        return Text("✓ no findings: WebEngage should accept this as it is", style="green")
    text = Text()
    for finding in sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3)):
        mark, style = SEVERITY_STYLE.get(finding.severity, ("·", ""))
        if text:
            text.append("\n")
        text.append(f"{mark} {finding.severity.value}: ", style=style)
        text.append(visible(finding.message))
        text.append("\n  at ", style="dim")
        text.append(visible(finding.path), style="bold")
        text.append(" · fix: ", style="dim")
        text.append(visible(finding.fix), style="italic")
    return text


def findings_summary(findings: list[Finding]) -> str:
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return ", ".join(parts) or "no findings"


HOLD_LIMIT = 0.1
"""Seconds a held frame waits at most for the body's repaint (it takes a turn of the event loop)."""


class RequestBody(JsonView):
    """The request body: a JsonView that can hold the app's frames until it is repainted.

    `hold_frames()` just before changing the text; the hold ends when this widget next idles: by
    then Textual has sent its repaint to the screen, which draws it with whatever else is pending
    (the keystroke's edit in the composer) in one frame. HOLD_LIMIT is the safety net."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: ExitStack | None = None
        self._hold_timer: Timer | None = None
        self._painted = False  # no hold until the first frame is out (start-up mounts panels)

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame_out)

    def _first_frame_out(self) -> None:
        self._painted = True

    def hold_frames(self) -> None:
        held = self._held is not None or not self.is_attached or not self._painted
        if held or self.app.return_code is not None:  # nor once exit() was called
            return
        batch = ExitStack()
        batch.enter_context(self.app.batch_update())
        self._held = batch
        self._hold_timer = self.app.set_timer(HOLD_LIMIT, self.release_frames, name="preview-hold")

    def release_frames(self) -> None:
        if self._held is None:
            return
        batch, self._held = self._held, None
        if self._hold_timer is not None:
            self._hold_timer.stop()
            self._hold_timer = None
        batch.close()
        if self.is_attached:
            self.screen.check_idle()  # it idled while held: now let it draw what is pending

    def on_idle(self) -> None:
        self.release_frames()

    def on_unmount(self) -> None:
        self.release_frames()


class PreviewPanel(Vertical):
    """Shows a Preview; `mark_stale(message)` keeps it but dims it while the JSON is invalid."""

    BORDER_TITLE = "Request preview"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._last: dict[str, str] = {}
        self.preview: Preview | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="stale-banner")
        yield Static("", id="send-status")
        yield Static("", id="request-line")
        yield Static("", id="request-headers")
        yield RequestBody(id="request-body")
        with VerticalScroll(id="findings-scroll"):
            yield Static("", id="findings")

    def on_mount(self) -> None:
        self.query_one("#stale-banner").display = False
        self.query_one("#send-status").display = False

    def _set(self, key: str, value: str) -> bool:
        if self._last.get(key) == value:
            return False
        self._last[key] = value
        return True

    def show(self, preview: Preview) -> None:
        """Show `preview`, touching only the parts that changed."""
        self.preview = preview
        request = preview.request
        if self._set("stale", ""):
            self.query_one("#stale-banner").display = False
            self.remove_class("-stale")
        secrets = self._secrets()
        line = f"{request.method} {request.url} {secrets}"
        if self._set("line", line):
            parts = urlsplit(request.url)
            self.query_one("#request-line", Static).update(
                conceal_text(
                    Text.assemble(
                        (request.method, "bold magenta"),
                        " ",
                        (parts.path, "bold"),
                        "\n",
                        ("Host: ", "cyan"),
                        (parts.netloc, "bold"),
                    ),
                    secrets,
                )
            )
            self.query_one("#request-line", Static).tooltip = (
                None if secrets else request.url  # a hover must not show it on the projector
            )
        headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items()) + f"{secrets}"
        if self._set("headers", headers):
            text = Text()
            for index, (name, value) in enumerate(request.headers.items()):
                if index:
                    text.append("\n")
                text.append(f"{name}: ", style="cyan")
                text.append(visible(value, one_line=True))
            self.query_one("#request-headers", Static).update(conceal_text(text, secrets))
        key = "\n".join(f.line() for f in preview.findings)
        if self._set("findings", key):
            self.query_one("#findings", Static).update(findings_text(preview.findings))
            self.border_subtitle = findings_summary(preview.findings)
        body = visible(request.body_text(indent=2))  # JSON escapes stay valid JSON to read
        if self._set("body", body):  # last: its repaint ends the hold, after the others' are sent
            view = self.query_one("#request-body", RequestBody)
            view.hold_frames()
            view.update(body)

    def _secrets(self) -> list[str]:
        """What presentation mode hides here: the license code (URL, Host) and the redacted key
        (Authorization); nothing when not presenting."""
        if not is_presentation(self.app):
            return []
        from tui.webengage.request import Connection  # not at import: pydantic loads after paint

        connection = getattr(self.app, "connection", None)
        return secrets_of(connection) if isinstance(connection, Connection) else []

    def refresh_presentation(self) -> None:
        """Presentation mode toggled: draw the request again, concealed or not."""
        if self.preview is not None and self.is_attached:
            self.show(self.preview)

    def mark_stale(self, message: str) -> None:
        """The properties do not parse: say where, and dim the last good preview."""
        if self._set("stale", message):
            banner = self.query_one("#stale-banner", Static)
            banner.update(
                Text.assemble(
                    ("✗ invalid JSON ", "bold red"),
                    (message, "red"),
                    ("  (showing the last valid preview)", "dim"),
                )
            )
            banner.display = True
            self.add_class("-stale")

    @property
    def refusal_shown(self) -> bool:
        return bool(self.query_one("#send-status", Static).display)

    def show_refusal(self, reason: str | None) -> None:
        """Why the last send was refused (None clears it): until the next send, or until what
        caused it is fixed."""
        status = self.query_one("#send-status", Static)
        status.display = reason is not None
        if reason is not None:
            status.update(Text.assemble(("✗ not sent: ", "bold red"), (reason, "red")))
