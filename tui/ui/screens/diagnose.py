"""Diagnose: ask every data centre whether it knows this key and license code, and say what it means.

For whoever is on call when deliveries fail: a 401 or 404 from one host cannot tell a wrong key
from a wrong data centre from a wrong license code, so `tui.delivery.diagnose` probes all three (with
a request that can never create data) and judges. This screen runs it in a worker and shows the
per-data-centre answers and the verdict in plain words, with the fix and the dashboard to open.
When the account lives in another data centre, one key press says "use that one".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Button, Label, LoadingIndicator, Static

from tui.delivery.diagnose import Diagnosis, Probe, ProbeResult, Verdict
from tui.delivery.service import DeliveryService
from tui.ui.themes import conceal, is_presentation
from tui.webengage.api import DataCentre
from tui.webengage.request import Connection

RESULT_STYLE = {
    ProbeResult.OK: "bold green",
    ProbeResult.KEY_REJECTED: "red",
    ProbeResult.LICENSE_NOT_FOUND: "yellow",
    ProbeResult.RATE_LIMITED: "yellow",
    ProbeResult.SERVER_ERROR: "red",
    ProbeResult.NETWORK: "red",
    ProbeResult.UNEXPECTED: "magenta",
}
RESULT_WORDS = {
    ProbeResult.OK: "key + license code OK",
    ProbeResult.KEY_REJECTED: "key rejected",
    ProbeResult.LICENSE_NOT_FOUND: "key OK, license code unknown",
    ProbeResult.RATE_LIMITED: "rate limited",
    ProbeResult.SERVER_ERROR: "server error",
    ProbeResult.NETWORK: "unreachable",
    ProbeResult.UNEXPECTED: "not WebEngage's answer",
}


@dataclass(frozen=True)
class DiagnoseResult:
    """What the screen hands back: the diagnosis, and the data centre to switch to, if asked."""

    diagnosis: Diagnosis | None
    use_data_centre: DataCentre | None = None


def probe_table(probes: list[Probe]) -> Table:
    """One row per probe: data centre, host, status and latency, what the answer means."""
    table = Table(expand=True, pad_edge=False, box=box.SIMPLE_HEAD)
    table.add_column("Data centre", min_width=11, no_wrap=True)
    table.add_column("Host", min_width=21, no_wrap=True)
    table.add_column("Answer", min_width=11, no_wrap=True)
    table.add_column("Meaning", ratio=1, overflow="fold")
    for probe in probes:
        style = RESULT_STYLE[probe.result]
        words = RESULT_WORDS[probe.result]
        if probe.result is ProbeResult.NETWORK and probe.message:
            words = f"unreachable: {probe.message}"
        if probe.variant:
            words += f" [{probe.variant}]"
        table.add_row(
            Text(probe.label, style="bold" if probe.result is ProbeResult.OK else ""),
            probe.host,
            (str(probe.status) if probe.status is not None else "—")
            + (f" {probe.latency_ms:.0f} ms" if probe.latency_ms is not None else ""),
            Text(words, style=style),
        )
    return table


def verdict_view(diagnosis: Diagnosis, hide: Callable[[str], str] = str) -> RenderableType:
    """The verdict as a user reads it: title, what it means, the fix, where to look.

    `hide` conceals credentials in the text (presentation mode)."""
    style = "bold green" if diagnosis.ok else "bold red"
    if diagnosis.verdict in (Verdict.WRONG_DATA_CENTRE, Verdict.VALUE_NEEDS_CLEANING):
        style = "bold yellow"
    parts: list[RenderableType] = [
        Text(hide(diagnosis.title), style=style),
        Text(hide(diagnosis.detail)),
        Text.assemble(("Fix: ", "bold"), hide(diagnosis.fix)),
    ]
    if diagnosis.dashboard_url:
        parts.append(Text.assemble(("Dashboard: ", "bold"), diagnosis.dashboard_url))
    return Group(*parts)


class DiagnoseScreen(ModalScreen[DiagnoseResult]):
    """Probe the data centres for `connection` and show the verdict. Escape closes."""

    DEFAULT_CSS = """
    DiagnoseScreen { align: center middle; }
    DiagnoseScreen > Vertical {
        width: 94%; max-width: 110; height: auto; max-height: 94%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    DiagnoseScreen #diagnose-title { text-style: bold; margin-bottom: 1; }
    DiagnoseScreen #diagnose-scroll { height: auto; max-height: 60vh; }
    DiagnoseScreen LoadingIndicator { height: 3; }
    DiagnoseScreen #diagnose-probes { height: auto; }
    DiagnoseScreen #diagnose-verdict { height: auto; margin-bottom: 1; }
    DiagnoseScreen #diagnose-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    DiagnoseScreen #diagnose-buttons Button { margin-left: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "rerun", "Run again"),
    ]

    def __init__(
        self,
        connection: Connection,
        *,
        service: DeliveryService | None = None,
        name: str | None = None,
    ) -> None:
        """`service` is the app's delivery service (the probes go through it, as every send does)."""
        super().__init__(name=name)
        self.connection = connection
        self.service = service or DeliveryService()
        self.diagnosis: Diagnosis | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(self._title(), id="diagnose-title")
            with VerticalScroll(id="diagnose-scroll"):
                yield LoadingIndicator()
                yield Static("", id="diagnose-verdict")
                yield Static("", id="diagnose-probes")
            with Horizontal(id="diagnose-buttons"):
                yield Button("Use data centre", variant="primary", id="diagnose-use")
                yield Button("Run again", id="diagnose-rerun")
                yield Button("Close", id="diagnose-close")

    def _title(self) -> str:
        license_code = self.connection.license_code or "(no license code)"
        return self._hide(
            f"Diagnose · license code {license_code}, key {self.connection.redacted_key()}, "
            f"configured for {self.connection.data_centre_label}"
        )

    def _hide(self, text: str) -> str:
        return conceal(text, self.connection, presenting=is_presentation(self.app))

    def _attached(self) -> bool:
        """False once the screen is being taken down (a late probe result must not crash the app)."""
        return self.is_attached and bool(self.query(LoadingIndicator))

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._presentation_changed, init=False)
        self.action_rerun()

    def _presentation_changed(self) -> None:
        """Presentation mode toggled: redraw the texts that name the credentials."""
        if not self._attached():
            return
        self.query_one("#diagnose-title", Label).update(self._title())
        if self.diagnosis is not None:
            self.query_one("#diagnose-verdict", Static).update(
                verdict_view(self.diagnosis, self._hide)
            )

    def action_rerun(self) -> None:
        if not self._attached():
            return
        self.query_one(LoadingIndicator).display = True
        self.query_one("#diagnose-use", Button).display = False
        self.query_one("#diagnose-rerun", Button).disabled = True
        self.query_one("#diagnose-probes", Static).update(
            Text(
                "Asking Global, India and KSA with a request that cannot create data…",
                style="italic",
            )
        )
        self.query_one("#diagnose-verdict", Static).update("")
        self.run_diagnosis()

    @work(exclusive=True, group="diagnose")
    async def run_diagnosis(self) -> Diagnosis:
        diagnosis = await self.service.diagnose(self.connection)
        self.show(diagnosis)
        return diagnosis

    def show(self, diagnosis: Diagnosis) -> None:
        """Fill in the probes table and the verdict (and offer the switch when it helps)."""
        self.diagnosis = diagnosis
        if not self._attached():
            return
        try:
            self._fill(diagnosis)
        except NoMatches:  # closed while probing: the widgets are already being taken down
            return

    def _fill(self, diagnosis: Diagnosis) -> None:
        self.query_one(LoadingIndicator).display = False
        self.query_one("#diagnose-rerun", Button).disabled = False
        probes = self.query_one("#diagnose-probes", Static)
        if diagnosis.probes:
            probes.update(probe_table(diagnosis.probes))
        else:
            probes.update(Text("No probes were sent.", style="italic"))
        self.query_one("#diagnose-verdict", Static).update(verdict_view(diagnosis, self._hide))
        target = self.switch_target()
        use = self.query_one("#diagnose-use", Button)
        use.display = target is not None
        if target is not None:
            use.label = f"Use {target.label}"

    def switch_target(self) -> DataCentre | None:
        """The data centre the account lives in, when it is not the configured one."""
        if self.diagnosis is None or self.diagnosis.verdict is not Verdict.WRONG_DATA_CENTRE:
            return None
        home = self.diagnosis.account_data_centre
        return home if home is not None and home is not self.connection.data_centre else None

    @on(Button.Pressed, "#diagnose-use")
    def _use(self) -> None:
        self.dismiss(DiagnoseResult(self.diagnosis, self.switch_target()))

    @on(Button.Pressed, "#diagnose-rerun")
    def _rerun_pressed(self) -> None:
        self.action_rerun()

    @on(Button.Pressed, "#diagnose-close")
    def action_close(self) -> None:
        self.dismiss(DiagnoseResult(self.diagnosis))
