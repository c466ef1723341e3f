"""One delivery in full: request, every attempt, the response, the hint, and a curl to reproduce it.

The curl reads the key from $WEBENGAGE_API_KEY when it runs, so what is copied or shown is safe to
paste into a ticket.
"""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.highlight import highlight
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from tui.delivery.exports import entry_to_curl
from tui.safe_text import visible
from tui.store.settings import AppSettings
from tui.ui.clipboard import copy_or_save
from tui.ui.messages import EditRequested, ResendRequested
from tui.ui.themes import conceal_text, entry_secrets, is_presentation
from tui.ui.widgets.preview import findings_text
from tui.ui.widgets.verdicts import hint_text, outcome_text, target_words
from tui.webengage.entry import LogEntry


def _section(title: str) -> Text:
    return Text(f"\n── {title} ", style="bold cyan")


def _json_or_raw(body: str | None) -> Text | Content:
    if body is None:
        return Text("(no response body)", style="dim")
    try:
        pretty = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:  # not JSON (an HTML error page): shown as text, controls made visible
        return Text(visible(body))
    return highlight(visible(pretty), language="json")


def _head(entry: LogEntry, interrupted: bool) -> Text:
    return Text.assemble(
        (visible(entry.event_name, one_line=True) or "(unnamed)", "bold"),
        "  ",
        outcome_text(entry, interrupted=interrupted),
        f"  status {entry.status if entry.status is not None else '—'}",
        f"  {entry.data_centre} · {entry.host} · license {entry.license_code or '—'}",
        f"\nsent to {target_words(entry)}",
        f" · {entry.created_at.astimezone():%Y-%m-%d %H:%M:%S}",
        f" · x-request-id {entry.request_id}",
        " · FORCED despite errors" if entry.forced else "",
        f" · from {visible(entry.source, one_line=True)}" if entry.source else "",
    )


def _attempts(entry: LogEntry) -> Text:
    attempts = Text()
    for attempt in entry.attempts:
        if attempt.number > 1 or attempts:
            attempts.append("\n")
        attempts.append(f"#{attempt.number} ", style="bold")
        attempts.append(f"{attempt.started_at.astimezone():%H:%M:%S.%f}"[:-3])
        if attempt.status is not None:
            attempts.append(f"  HTTP {attempt.status}")
        if attempt.error:
            attempts.append(f"  {visible(attempt.error)}", style="red")
        if attempt.latency_ms is not None:
            attempts.append(f"  {attempt.latency_ms:,.0f} ms")
        if attempt.retry_after_s is not None:
            attempts.append(f"  Retry-After {attempt.retry_after_s:g} s")
        if attempt.backoff_s:
            attempts.append(f"  then waited {attempt.backoff_s:g} s")
    if not entry.attempts:
        attempts.append("(no attempt yet)", style="dim")
    return attempts


def _headers(headers: dict[str, str]) -> Text:
    return Text(
        "\n".join(
            f"{visible(k, one_line=True)}: {visible(v, one_line=True)}" for k, v in headers.items()
        )
        or "(none)"
    )


def entry_parts(entry: LogEntry, *, interrupted: bool = False) -> list[Text | Content]:
    """Everything about `entry`, top to bottom, as the detail screen shows it."""
    request = entry.request
    head, headers, attempts = _head(entry, interrupted), _headers(request.headers), _attempts(entry)
    response_headers = _headers(entry.response_headers)
    parts: list[Text | Content] = [
        head,
        _section("Verdict"),
        hint_text(entry, interrupted=interrupted),
        _section("Request"),
        Text.assemble((request.method, "bold magenta"), " ", request.url),
        headers,
        highlight(visible(request.body_text(indent=2)), language="json"),
        _section("Attempts"),
        attempts,
        _section("Response"),
        response_headers,
        _json_or_raw(entry.response_body),
    ]
    if entry.response_truncated:
        parts.append(Text("(response truncated)", style="dim"))
    if entry.findings:
        parts += [_section("Findings at send time"), findings_text(list(entry.findings))]
    parts += [
        _section("curl (key read from $WEBENGAGE_API_KEY)"),
        Text(visible(entry_to_curl(entry))),
    ]
    return parts


class EntryDetailScreen(ModalScreen[None]):
    """A log entry in full; c copies it as curl, r sends it again, e loads it into the composer."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close"),
        Binding("c", "copy_curl", "Copy as curl"),
        Binding("r", "resend", "Resend as new"),
        Binding("R", "retry", "Retry same id"),
        Binding("e", "edit", "Edit & resend"),
    ]

    def __init__(self, entry: LogEntry, *, interrupted: bool = False) -> None:
        super().__init__()
        self.entry = entry
        self.interrupted = interrupted

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box") as box:
            box.border_title = "Delivery"
            with VerticalScroll(id="detail-scroll"):
                secrets = entry_secrets(self.entry) if is_presentation(self.app) else []
                for part in entry_parts(self.entry, interrupted=self.interrupted):
                    yield Static(conceal_text(part, secrets) if isinstance(part, Text) else part)
        yield Footer()

    def action_copy_curl(self) -> None:
        copy_or_save(
            self.app,
            entry_to_curl(self.entry),
            what="curl (the key read from $WEBENGAGE_API_KEY)",
            folder=getattr(self.app, "settings", AppSettings()).exports_dir,
            suffix=".sh",
        )

    def action_resend(self) -> None:
        self.app.post_message(ResendRequested(self.entry.id))

    def action_retry(self) -> None:
        self.app.post_message(ResendRequested(self.entry.id, retry=True))
        self.dismiss()

    def action_edit(self) -> None:
        self.app.post_message(EditRequested(self.entry.id))
        self.dismiss()
