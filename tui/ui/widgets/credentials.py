"""The credentials panel: where requests go (data centre or host, license code, REST API key).

The key field is a password Input: revealing it is an explicit action (F8 or the eye button) and
every new key starts masked again, so a screenshot or a screen share shows dots unless asked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from pydantic import SecretStr
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, Switch

from tui.delivery.service import DeliveryService
from tui.masking import Masker
from tui.store.profiles import Profile, ProfileError, load_profiles, save_profile
from tui.store.settings import AppSettings
from tui.ui.messages import ConnectionChanged, ConnectionTested
from tui.webengage.api import DataCentre
from tui.webengage.request import Connection

if TYPE_CHECKING:
    pass

CUSTOM = "custom"
DATA_CENTRE_OPTIONS: list[tuple[str, str]] = [
    *((dc.label, dc.value) for dc in DataCentre),
    ("Custom host", CUSTOM),
]
NEW_PROFILE = "__new__"


class CredentialsPanel(Vertical):
    """Edits a Connection (posting ConnectionChanged on every change), tests it, saves profiles."""

    BORDER_TITLE = "Credentials"

    def __init__(
        self,
        connection: Connection,
        settings: AppSettings,
        *,
        sandbox_url: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="credentials")
        self._initial = connection
        self._settings = settings
        self._sandbox_url = sandbox_url or connection.route_to  # a routed connection keeps it
        self._quiet = False

    def compose(self) -> ComposeResult:
        conn = self._initial
        dc_value = conn.data_centre.value if conn.data_centre is not None else CUSTOM
        with Horizontal(classes="row"):
            yield Label("Data centre", classes="field-label")
            yield Select(
                DATA_CENTRE_OPTIONS,
                value=dc_value,
                allow_blank=False,
                compact=True,
                id="data-centre",
            )
            yield Static("", id="api-host", classes="api-host")
        with Horizontal(classes="row", id="custom-host-row"):
            yield Label("Custom host", classes="field-label")
            yield Input(
                conn.custom_host or "",
                placeholder="https://api.eug.webengage.com",
                compact=True,
                id="custom-host",
            )
        with Horizontal(classes="row", id="sandbox-row"):
            yield Label("Route", classes="field-label")
            yield Switch(value=bool(conn.route_to), id="via-sandbox")
            yield Static("", id="sandbox-label", classes="sandbox-label")
        with Horizontal(classes="row"):
            yield Label("License code", classes="field-label")
            yield Input(
                conn.license_code, placeholder="e.g. va1w264d", compact=True, id="license-code"
            )
        with Horizontal(classes="row"):
            yield Label("REST API key", classes="field-label")
            yield Input(
                conn.api_key.get_secret_value(),
                password=True,
                placeholder="Data Platform > Integrations > REST API",
                compact=True,
                id="api-key",
            )
            yield Button(
                "show", compact=True, id="reveal-key", tooltip="Reveal / hide the key (F8)"
            )
        with Horizontal(classes="row"):
            yield Button(
                "Test connection  F7", compact=True, id="test-connection", variant="primary"
            )
        yield Static("not tested yet", id="verdict", classes="verdict")
        with Horizontal(classes="row", id="profile-row"):
            yield Label("Profile", classes="field-label")
            yield Select(
                [(name, name) for name in self.profile_names()],
                prompt="(unsaved)",
                compact=True,
                id="profile",
            )
        with Horizontal(classes="row", id="save-row"):
            yield Label("Save as", classes="field-label")
            yield Input(placeholder="profile name", compact=True, id="profile-name")
            yield Checkbox("store key", compact=True, id="store-key")
            yield Button("Save", compact=True, id="save-profile")

    def on_mount(self) -> None:
        self._refresh_labels()

    # ---- reading and writing the fields ----

    @property
    def connection(self) -> Connection:
        """The Connection the fields describe (the key straight into a SecretStr)."""
        dc_value = self.query_one("#data-centre", Select).value
        custom = dc_value == CUSTOM
        via_sandbox = self._sandbox_url is not None and self.query_one("#via-sandbox", Switch).value
        return Connection(
            data_centre=None if custom else DataCentre(str(dc_value)),
            custom_host=self.query_one("#custom-host", Input).value.strip() or None
            if custom
            else None,
            license_code=self.query_one("#license-code", Input).value.strip(),
            api_key=SecretStr(self.query_one("#api-key", Input).value.strip()),
            route_to=self._sandbox_url if via_sandbox else None,
        )

    def load(self, connection: Connection) -> None:
        """Fill the fields from `connection` (a profile was chosen); the key goes back to masked."""
        self._quiet = True
        try:
            dc_value = connection.data_centre.value if connection.data_centre else CUSTOM
            self.query_one("#data-centre", Select).value = dc_value
            self.query_one("#custom-host", Input).value = connection.custom_host or ""
            self.query_one("#license-code", Input).value = connection.license_code
            self.query_one("#api-key", Input).value = connection.api_key.get_secret_value()
            self.query_one("#via-sandbox", Switch).value = bool(connection.route_to)
            self.set_revealed(False)
        finally:
            self._quiet = False
        self._changed()

    def use_sandbox(self, url: str, connection: Connection) -> None:
        """A sandbox was started after all: offer its route, and load its demo account."""
        self._sandbox_url = url
        self.load(connection)

    def set_revealed(self, revealed: bool) -> None:
        self.query_one("#api-key", Input).password = not revealed
        self.query_one("#reveal-key", Button).label = "hide" if revealed else "show"

    def toggle_reveal(self) -> None:
        self.set_revealed(self.query_one("#api-key", Input).password)

    def show_verdict(self, ok: bool, verdict: str) -> None:
        widget = self.query_one("#verdict", Static)
        widget.update(Text(("✓ " if ok else "✗ ") + verdict, style="green" if ok else "red"))
        widget.tooltip = verdict

    def show_state(self, words: str, style: str) -> None:
        """The connection's state in the verdict line (changed since tested, reconnect needed)."""
        widget = self.query_one("#verdict", Static)
        widget.update(Text(words, style=style))
        widget.tooltip = words

    def show_testing(self) -> None:
        self.query_one("#verdict", Static).update(Text("testing…", style="italic"))

    def set_profiles(self, names: list[str], selected: str | None = None) -> None:
        """Offer `names`, showing `selected`, without loading it: the Changed message a new value
        posts would arrive after this returns and reload the profile (dropping the route)."""
        select = self.query_one("#profile", Select)
        with select.prevent(Select.Changed):
            select.set_options([(name, name) for name in names])
            if selected in names:
                select.value = selected

    def refresh_profiles(self, renamed: Mapping[str, str] | None = None) -> None:
        """Re-read the saved profiles (renamed or deleted elsewhere, `renamed` old -> new): the
        profile shown, and the name to save under, follow their renames."""
        renamed = renamed or {}
        name_field = self.query_one("#profile-name", Input)
        if name_field.value.strip() in renamed:
            name_field.value = renamed[name_field.value.strip()]
        current = self.query_one("#profile", Select).value
        shown = renamed.get(current, current) if isinstance(current, str) else None
        self.set_profiles(self.profile_names(), shown)

    @property
    def profile_request(self) -> tuple[str, bool]:
        """The name typed (or the profile selected) and whether to store the key."""
        name = self.query_one("#profile-name", Input).value.strip()
        if not name:
            selected = self.query_one("#profile", Select).value
            name = selected if isinstance(selected, str) else ""
        return name, self.query_one("#store-key", Checkbox).value

    # ---- events ----

    def _refresh_labels(self) -> None:
        conn = self.connection
        custom = conn.data_centre is None
        self.query_one("#custom-host-row").display = custom
        self.query_one("#sandbox-row").display = self._sandbox_url is not None
        host = Text(conn.host, style="bold")
        self.query_one("#api-host", Static).update(Text.assemble("→ ", host))
        label = self.query_one("#sandbox-label", Static)
        if conn.route_to:
            label.update(
                Text.assemble(
                    ("⇄ local sandbox", "bold black on yellow"),
                    " (demo account lives in Global)",
                )
            )
        else:
            label.update(Text("→ the real WebEngage API", style="bold"))

    def _changed(self) -> None:
        if self._quiet:
            return
        self._refresh_labels()
        self.post_message(ConnectionChanged(self.connection))

    @on(Select.Changed, "#data-centre")
    @on(Input.Changed, "#custom-host, #license-code, #api-key")
    @on(Switch.Changed, "#via-sandbox")
    def _on_field_changed(self, event: Select.Changed | Input.Changed | Switch.Changed) -> None:
        event.stop()
        self._changed()

    @on(Button.Pressed, "#reveal-key")
    def _on_reveal(self, event: Button.Pressed) -> None:
        event.stop()
        self.toggle_reveal()

    @on(Button.Pressed, "#test-connection")
    def _on_test(self, event: Button.Pressed) -> None:
        event.stop()
        self.test_connection()

    @on(Button.Pressed, "#save-profile")
    def _on_save(self, event: Button.Pressed) -> None:
        event.stop()
        self.save_profile()

    @on(Select.Changed, "#profile")
    def _on_profile(self, event: Select.Changed) -> None:
        event.stop()
        if self._quiet or not isinstance(event.value, str):
            return
        self.query_one("#profile-name", Input).value = event.value
        self.switch_profile(event.value)

    # ---- the connection test ----

    def test_connection(self) -> None:
        """The harmless probe (POST /events with {} on each data centre), in the background."""
        self.show_testing()
        self._probe(self.connection)

    @work(exclusive=True, group="probe", exit_on_error=False)
    async def _probe(self, connection: Connection) -> None:
        service = getattr(self.app, "service", None) or DeliveryService()
        diagnosis = await service.diagnose(connection)
        mask = Masker([connection.api_key.get_secret_value()])
        ok = diagnosis.ok
        detail = diagnosis.detail if ok else f"{diagnosis.detail}\nFix: {diagnosis.fix}"
        verdict, detail = mask(diagnosis.title), mask(detail)
        self.post_message(ConnectionTested(ok, verdict, detail))

    @on(ConnectionTested)
    def _on_tested(self, message: ConnectionTested) -> None:
        self.show_verdict(message.ok, message.verdict)
        self.app.notify(
            message.detail,
            title=message.verdict,
            severity="information" if message.ok else "error",
            timeout=10,
        )

    # ---- profiles ----

    def profile_names(self) -> list[str]:
        try:
            return sorted(load_profiles(self._settings))
        except ProfileError:
            return []

    def save_profile(self) -> None:
        """Save the fields as the named profile; the key only when "store key" is ticked."""
        name, store_key = self.profile_request
        conn = self.connection
        try:
            profile = Profile(
                name=name,
                data_centre=conn.data_centre,
                custom_host=conn.custom_host,
                license_code=conn.license_code,
                api_key=conn.api_key if store_key else None,
            )
            save_profile(self._settings, profile, store_key=store_key)
        except (ValueError, OSError) as error:
            self.app.notify(f"Profile not saved: {first_line(error)}", severity="error")
            return
        where = "key stored (file mode 600)" if store_key else "key not stored"
        self.app.notify(f"Saved profile {profile.name!r}: {where}")
        self.set_profiles(self.profile_names(), profile.name)
        self._changed()  # the fields are unchanged: the same connection, its route kept

    def switch_profile(self, name: str) -> None:
        """Load a saved profile (keeping the key typed here when the profile stores none, and the
        route: only the Route switch moves deliveries from the sandbox to the real API)."""
        try:
            profile = load_profiles(self._settings)[name]
        except (KeyError, ProfileError) as error:
            self.app.notify(f"Profile not loaded: {error}", severity="error")
            return
        current = self.connection
        connection = profile.connection().model_copy(update={"route_to": current.route_to})
        if not connection.api_key.get_secret_value():
            connection = connection.model_copy(update={"api_key": current.api_key})
        self.load(connection)
        self.set_profiles(self.profile_names(), name)
        self.query_one("#profile-name", Input).value = name
        self.app.notify(f"Profile {name!r} loaded")


def first_line(error: BaseException) -> str:
    """An error's first line (or its type, when it says nothing)."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
