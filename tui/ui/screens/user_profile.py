"""Compose a user profile (`identify`) and send it to WebEngage's /users endpoint.

Profile attributes and consent flags do not travel on /events (the integration spec says so), so
whoever wires the user path needs to try it on its own: a form for the profile fields and the four
opt-in flags, custom attributes as JSON, the same live preview and findings as the event composer
(the one `preview_event`, fed a `{"type": "identify", ...}` event), and a send in a worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea

from tui.delivery.service import DeliveryService, refusal
from tui.mapping.blueprint import Blueprint
from tui.mapping.preview import Preview, preview_event
from tui.mapping.signal import InputError, parse_json_object
from tui.ui.messages import post_deliveries_to
from tui.ui.screens._render import json_text
from tui.ui.themes import conceal, is_presentation
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Severity
from tui.webengage.request import Connection

TEXT_FIELDS = (
    ("user_id", "User id (userId)", "wedbg-test-… (a test profile)"),
    ("anonymous_id", "Anonymous id", "only used when there is no user id"),
    ("email", "Email", "someone@example.test"),
    ("phone", "Phone (E.164)", "+15551234567"),
    ("first_name", "First name", ""),
    ("last_name", "Last name", ""),
    ("birth_date", "Birth date", "1990-05-17 or 1990-05-17T00:00:00Z"),
    ("company", "Company", ""),
)
OPT_INS = ("emailOptIn", "smsOptIn", "whatsappOptIn", "rcsOptIn")
GENDERS = ("male", "female", "other")
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def identify_event(
    fields: dict[str, str], opt_ins: dict[str, bool | None], custom: dict[str, Any]
) -> dict[str, Any]:
    """The Signal `identify` event for the form: empty boxes and unset flags are left out.

    Custom attributes go in first, so a profile field typed in its own box wins over a custom
    attribute of the same name.
    """
    traits: dict[str, Any] = dict(custom)
    for key in ("email", "phone", "first_name", "last_name", "company"):
        value = fields.get(key, "").strip()
        if value:
            traits[key] = value
    birth = fields.get("birth_date", "").strip()
    if birth:
        traits["birth_date"] = birth
    gender = fields.get("gender", "").strip()
    if gender:
        traits["gender"] = gender
    for flag, opt_in in opt_ins.items():
        if opt_in is not None:
            traits[flag] = opt_in
    event: dict[str, Any] = {"type": "identify"}
    for key in ("user_id", "anonymous_id"):
        value = fields.get(key, "").strip()
        if value:
            event[key] = value
    event["traits"] = traits
    return event


def shadowed_fields(custom: dict[str, Any], blueprint: Blueprint) -> list[str]:
    """Custom attributes whose names the blueprint maps to profile fields (not `attributes`)."""
    return [
        f"custom attribute {name!r} is the profile field {blueprint.user_fields[name]!r}: it is "
        "sent as that field (its own box wins when both are set), not under attributes"
        for name in custom
        if name in blueprint.user_fields
    ]


def findings_text(preview: Preview, extra: list[str], notes: Sequence[str] = ()) -> Text:
    """The findings, one a line, errors first; or a plain 'no findings'."""
    text = Text()
    for line in extra:
        text.append(f"error   {line}\n", style="bold red")
    for line in notes:
        text.append(f"note    {line}\n", style="yellow")
    order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    for finding in sorted(preview.findings, key=lambda f: order[f.severity]):
        text.append(f"{finding.severity.value:<7} ", style=SEVERITY_STYLE[finding.severity])
        text.append(f"{finding.path}: {finding.message}\n")
        text.append(f"        fix: {finding.fix}\n", style="dim")
    if not text:
        text.append("No findings: WebEngage should accept this profile.", style="green")
    return text


class UserProfileScreen(Screen[LogEntry | None]):
    """The profile form, its live preview, and Send. Dismisses with the last delivery's entry."""

    DEFAULT_CSS = """
    UserProfileScreen { layout: vertical; }
    UserProfileScreen #profile-title { background: $panel; padding: 0 1; text-style: bold; }
    UserProfileScreen #profile-body { height: 1fr; }
    UserProfileScreen #profile-form { width: 1fr; padding: 0 1; }
    UserProfileScreen #profile-preview { width: 1fr; padding: 0 1; border-left: vkey $panel; }
    UserProfileScreen .form-grid {
        grid-size: 2; grid-columns: 16 1fr; grid-gutter: 0 1; grid-rows: 1; height: auto;
        margin-top: 1;
    }
    UserProfileScreen .form-grid Label { color: $text-muted; width: 100%; text-align: right; }
    UserProfileScreen .section { text-style: bold; margin-top: 1; color: $text; }
    UserProfileScreen #profile-custom { height: 6; border: tall $panel; }
    UserProfileScreen #profile-custom-error { color: $error; height: auto; }
    UserProfileScreen #profile-request { text-style: bold; }
    UserProfileScreen #profile-actions { height: auto; padding: 0 1; }
    UserProfileScreen #profile-actions Button { margin-right: 2; }
    UserProfileScreen #profile-status { width: 1fr; height: auto; padding: 1 0 0 0; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back"),
        # The same keys as the app's Send (the app yields them while a screen is on top);
        # never ctrl+g / ctrl+s, which zellij takes for its lock and scroll modes.
        Binding("f5,ctrl+r", "send", "Send", priority=True),
    ]

    @dataclass
    class Delivered(Message):
        """The send finished (`entry`), or was interrupted before it had one (None)."""

        entry: LogEntry | None

    def __init__(
        self,
        connection: Connection,
        blueprint: Blueprint,
        service: DeliveryService,
        *,
        name: str | None = None,
    ) -> None:
        super().__init__(name=name)
        self.connection = connection
        self.blueprint = blueprint
        self.service = service
        self.preview: Preview = preview_event(
            {"type": "identify", "traits": {}}, connection, blueprint
        )
        self.custom_error: str | None = None
        self.notes: list[str] = []
        self.last_entry: LogEntry | None = None
        self.sending = False

    def compose(self) -> ComposeResult:
        yield Static("User profile · identify → /users", id="profile-title")
        with Horizontal(id="profile-body"):
            with VerticalScroll(id="profile-form"):
                with Grid(classes="form-grid"):
                    for key, label, placeholder in TEXT_FIELDS:
                        yield Label(label)
                        yield Input(placeholder=placeholder, id=f"profile-{key}", compact=True)
                    yield Label("Gender")
                    yield Select(
                        [(g, g) for g in GENDERS],
                        prompt="not sent",
                        id="profile-gender",
                        compact=True,
                    )
                yield Static("Opt-in flags (left out unless set)", classes="section")
                with Grid(classes="form-grid"):
                    for flag in OPT_INS:
                        yield Label(flag)
                        yield Select(
                            [("true", True), ("false", False)],
                            prompt="not sent",
                            id=f"profile-{flag}",
                            compact=True,
                        )
                yield Static("Custom attributes (JSON object)", classes="section")
                yield TextArea("{}", id="profile-custom", soft_wrap=True, tab_behavior="indent")
                yield Static("", id="profile-custom-error")
            with VerticalScroll(id="profile-preview"):
                yield Static("", id="profile-request")
                yield Static("", id="profile-body-json")
                yield Static("Findings", classes="section")
                yield Static("", id="profile-findings")
        with Horizontal(id="profile-actions"):
            yield Button("Send profile", variant="primary", id="profile-send")
            yield Button("Send anyway", variant="error", id="profile-force")
            yield Static("", id="profile-status")
        yield Footer()

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self.refresh_preview()
        self.query_one(f"#profile-{TEXT_FIELDS[0][0]}", Input).focus()  # ready to type

    def _theme_changed(self) -> None:
        """Presentation mode toggled: the request line conceals (or shows) the license code."""
        if self.is_attached:
            self.refresh_preview()

    def form_values(self) -> tuple[dict[str, str], dict[str, bool | None], dict[str, Any]]:
        """What the form holds: text fields, opt-in flags (None = not sent), custom attributes."""
        fields = {key: self.query_one(f"#profile-{key}", Input).value for key, _, _ in TEXT_FIELDS}
        gender = self.query_one("#profile-gender", Select).value
        fields["gender"] = gender if isinstance(gender, str) else ""
        opt_ins: dict[str, bool | None] = {}
        for flag in OPT_INS:
            value = self.query_one(f"#profile-{flag}", Select).value
            opt_ins[flag] = value if isinstance(value, bool) else None
        self.custom_error = None
        custom: dict[str, Any] = {}
        try:
            custom = parse_json_object(
                self.query_one("#profile-custom", TextArea).text, "custom attributes"
            )
        except InputError as error:
            self.custom_error = str(error)
        self.notes = shadowed_fields(custom, self.blueprint)
        return fields, opt_ins, custom

    def raw_event(self) -> dict[str, Any]:
        return identify_event(*self.form_values())

    def refresh_preview(self) -> None:
        """Re-map the form (cheap, synchronous) and show the request, body and findings."""
        raw = self.raw_event()
        self.preview = preview_event(raw, self.connection, self.blueprint)
        request = self.preview.request
        self.query_one("#profile-request", Static).update(
            conceal(
                f"{request.method} {request.url}",
                self.connection,
                presenting=is_presentation(self.app),
            )
        )
        self.query_one("#profile-body-json", Static).update(json_text(request.body))
        extra = [self.custom_error] if self.custom_error else []
        self.query_one("#profile-custom-error", Static).update(self.custom_error or "")
        self.query_one("#profile-findings", Static).update(
            findings_text(self.preview, extra, self.notes)
        )
        blocked = self.preview.has_errors or self.custom_error is not None
        self.query_one("#profile-force", Button).display = self.preview.has_errors
        self.query_one("#profile-send", Button).disabled = self.sending

        if blocked and not self.sending:
            self._status("Not ready: fix the errors listed under Findings.", "yellow")
        elif not self.sending and self.last_entry is None:
            self._status("Ready: F5 (or Ctrl+R) sends the profile.", "dim")

    def _status(self, message: str, style: str = "") -> None:
        self.query_one("#profile-status", Static).update(Text(message, style=style))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _edited(self) -> None:
        self.refresh_preview()

    @on(Button.Pressed, "#profile-send")
    def action_send(self) -> None:
        self._send(forced=False)

    @on(Button.Pressed, "#profile-force")
    def _send_anyway(self) -> None:
        self._send(forced=True)

    def _send(self, *, forced: bool) -> None:
        self.refresh_preview()
        if self.sending:
            return
        if self.custom_error:
            self._status(f"Not sent: {self.custom_error}", "bold red")
            return
        refused = refusal(self.connection, self.preview, forced=forced)
        if refused is not None:
            self._status(f"Not sent: {refused.message(force='Send anyway')}", "bold red")
            return
        self.sending = True
        self.query_one("#profile-send", Button).disabled = True
        self._status(f"Sending to {self.connection.host}…", "bold")
        # The app owns the worker: Escape during a slow send does not cut the delivery off.
        self.app.run_worker(
            self.deliver(self.preview, forced),
            group="profile-send",
            description="user profile delivery",
            exit_on_error=False,
        )

    async def deliver(self, preview: Preview, forced: bool) -> LogEntry:
        """Send; the app hears of it through the Delivery* messages, this screen via Delivered."""
        entry: LogEntry | None = None
        try:
            entry = await self.service.deliver(
                self.connection,
                preview.request,
                event_name="identify",
                findings=preview.findings,
                forced=forced,
                source="user profile",
                observer=post_deliveries_to(self.app),
            )
            return entry
        finally:
            self.post_message(self.Delivered(entry))

    @on(Delivered)
    def _delivered(self, message: Delivered) -> None:
        self.sending = False
        self.query_one("#profile-send", Button).disabled = False
        if message.entry is None:
            self._status("The delivery was interrupted.", "bold red")
            return
        self.last_entry = message.entry
        self._show_outcome(message.entry)

    def _show_outcome(self, entry: LogEntry) -> None:
        hint = entry.hint
        ok = entry.outcome is not None and entry.outcome.ok
        status = f" {entry.status}" if entry.status is not None else ""
        outcome = entry.outcome.value if entry.outcome else "no outcome"
        text = Text(f"{outcome}{status}: ", style="bold green" if ok else "bold red")
        text.append(hint.title if hint else "")
        if hint and not ok:
            text.append(f"\nFix: {hint.app_fix}", style="yellow")
        self.query_one("#profile-status", Static).update(text)

    def action_close(self) -> None:
        self.dismiss(self.last_entry)
