"""A row of the Live tab, from what the listener received or what the relay exchanged, and the
tab's texts (its line, the counters, the highlighted row's detail).

One shape for both sources, built in the app's thread at each flush (never in the listener's),
and its line as segments: time, source, event (Signal → WebEngage), identity, findings, outcome.
Every text in it came from a sender and is made safe with `visible` (Rich Text, never markup).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from tui.live.exchange import Exchange, names_text
from tui.live.received import Received, identity_of
from tui.safe_text import visible
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection

WIDE = 100
"""From this many columns the identity and findings columns get their full width."""


@dataclass(frozen=True, slots=True)
class Widths:
    """The columns' widths for a table `width` cells wide (the event and the outcome share the
    rest, the event a little more)."""

    time: int
    source: int
    event: int
    identity: int
    findings: int
    outcome: int

    @classmethod
    def of(cls, width: int) -> Widths:
        identity, findings = (22, 14) if width >= WIDE else (16, 10)
        rest = max(width - 9 - 7 - identity - findings, 20)
        event = rest * 11 // 20
        return cls(9, 7, event, identity, findings, rest - event)


FINDINGS_SHOWN = 3
"""The highlighted row's detail lists this many findings, the worst first."""
OUTCOME_STYLE = {
    "ok": "bold green",
    "failed": "bold red",
    "pending": "italic cyan",
    "not_sent": "yellow",
    "preview": "dim",
}


@dataclass(frozen=True, slots=True)
class LiveRow:
    """What the Live tab shows of one event (or one relayed call), and what it came from."""

    id: str
    at: datetime
    mono: float
    source: str  # "SDK" or "relay"
    path: str
    signal: str
    webengage: str
    identity: str
    errors: int
    warnings: int
    outcome: str
    state: str  # a key of OUTCOME_STYLE
    update: bool  # a later report of an event already shown (its delivery ended)
    forwarded: bool
    failed: bool
    findings: tuple[Finding, ...]
    payload: Received | Exchange


def _counts(findings: tuple[Finding, ...]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    return errors, warnings


def from_received(item: Received) -> LiveRow:
    if item.forwarding:
        state = "pending"
    elif item.delivery is not None:
        state = "ok" if item.accepted else "failed"
    else:
        state = "not_sent" if item.forward_on else "preview"
    return LiveRow(
        id=item.id,
        at=item.at,
        mono=item.mono,
        source="SDK",
        path=visible(item.path, one_line=True),
        signal=item.signal_name,
        webengage=item.webengage_name,
        identity=item.identity,
        errors=item.errors,
        warnings=item.warnings,
        outcome=item.outcome_label(),
        state=state,
        update=item.update,
        forwarded=item.update and item.delivery is not None,
        failed=item.update and item.failed,
        findings=item.findings,
        payload=item,
    )


def from_exchange(exchange: Exchange) -> LiveRow:
    """A relayed call: it carries a WebEngage body (there is no Signal event), so the event
    column shows the endpoint and the name(s) in it."""
    request = exchange.request
    endpoint = exchange.endpoint
    body = request.body if request is not None else None
    bulk = endpoint is not None and endpoint.is_bulk
    identity = f"{len(exchange.names)} items" if bulk else identity_of(body)
    outcome = exchange.outcome or "not forwarded"
    accepted = exchange.outcome == "accepted"
    errors, warnings = _counts(exchange.findings)
    return LiveRow(
        id=exchange.entry.id if exchange.entry is not None else uuid.uuid4().hex,
        at=exchange.at,
        mono=time.monotonic(),
        source="relay",
        path=visible(exchange.path, one_line=True),
        signal=f"/{endpoint.value}" if endpoint is not None else visible(exchange.path)[:30],
        webengage=visible(names_text(exchange.names), one_line=True) or "-",
        identity=identity,
        errors=errors,
        warnings=warnings,
        outcome=f"{outcome} {exchange.status}",
        state="ok" if accepted else ("failed" if exchange.forwarded else "not_sent"),
        update=False,
        forwarded=exchange.forwarded,
        failed=exchange.forwarded and not accepted,
        findings=exchange.findings,
        payload=exchange,
    )


def _cell(text: str | Text, width: int, style: str = "") -> Text:
    cell = text.copy() if isinstance(text, Text) else Text(text, style=style)
    cell.truncate(max(width - 1, 1), overflow="ellipsis", pad=True)
    cell.append(" ")
    return cell


_COMBINED: dict[tuple[Style, str], Style] = {}


def _style(base: Style, name: str, uniform: bool = False) -> Style:
    """`base` with the named style on top, worked out once (Rich's Text.render combines styles
    for every span of every line: too slow for a line drawn a thousand times a second);
    `uniform`: `base` alone (the cursor's line, which must read on any theme)."""
    if uniform:
        return base
    found = _COMBINED.get((base, name))
    if found is None:
        if len(_COMBINED) > 256:
            _COMBINED.clear()
        found = _COMBINED[(base, name)] = base + Style.parse(name) if name else base
    return found


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells, the last a space: cut with an ellipsis, or padded."""
    room = max(width - 1, 1)
    if cell_len(text) > room:
        text = set_cell_size(text, room - 1) + "…"
    return set_cell_size(text, room) + " "


def _split(text: str, head: str, styles: tuple[Style, Style]) -> list[Segment]:
    """`text` as two segments, `head` in the first style, when it starts with it whole."""
    if text.startswith(head) and len(text) > len(head):
        return [Segment(head, styles[0]), Segment(text[len(head) :], styles[1])]
    return [Segment(text, styles[0])]


def findings_words(row: LiveRow) -> tuple[str, str]:
    errors = f"{row.errors} error{'s' if row.errors > 1 else ''}" if row.errors else ""
    warnings = f"{row.warnings} warn" if row.warnings else ""
    return errors, warnings


def row_segments(row: LiveRow, width: int, base: Style, *, uniform: bool = False) -> list[Segment]:
    """The row's line, `width` cells wide: the event and the outcome share what is left;
    `uniform`: all in `base` (the cursor). (No segment starts with a space: an SVG converter
    drops it, and a screenshot shifts left.)"""
    w = Widths.of(width)

    def style(name: str) -> Style:
        return _style(base, name, uniform)

    source = "magenta" if row.source == "relay" else "cyan"
    line = [
        Segment(_fit(row.at.astimezone().strftime("%H:%M:%S"), w.time), style("dim")),
        Segment(_fit(row.source, w.source), style(source)),
    ]
    event = _fit(f"{row.signal} → {row.webengage}", w.event)
    if event.startswith(f"{row.signal} → "):
        cut = len(row.signal) + 1
        line += [
            Segment(event[:cut], style("bold")),
            Segment("→ ", style("dim")),
            Segment(event[cut + 2 :], base),
        ]
    else:
        line.append(Segment(event, style("bold")))
    line.append(Segment(_fit(row.identity, w.identity), base))
    errors, warnings = findings_words(row)
    if not errors and not warnings:
        line.append(Segment(_fit("✓ none", w.findings), style("green")))
    else:
        found = _fit(" ".join(filter(None, (errors, warnings))), w.findings)
        red, yellow = style("bold red"), style("yellow")
        head = f"{errors} " if errors and warnings else found
        line += _split(found, head, (red, yellow) if errors else (yellow, yellow))
    outcome = style(OUTCOME_STYLE.get(row.state, ""))
    line.append(Segment(_fit(row.outcome, w.outcome), outcome))
    return line


def header_text(width: int) -> Text:
    w = Widths.of(width)
    line = Text(no_wrap=True, style="bold")
    for title, cell_w in (
        ("time", w.time),
        ("source", w.source),
        ("event: Signal → WebEngage", w.event),
        ("identity", w.identity),
        ("findings", w.findings),
        ("outcome", w.outcome),
    ):
        line.append_text(_cell(title, cell_w))
    return line


@dataclass
class Counters:
    received: int = 0
    with_errors: int = 0
    forwarded: int = 0
    failed: int = 0
    refused: int = 0

    def text(self) -> Text:
        text = Text()
        for label, value, style in (
            ("received", self.received, "bold"),
            ("with errors", self.with_errors, "bold red" if self.with_errors else "bold"),
            ("forwarded", self.forwarded, "bold green" if self.forwarded else "bold"),
            ("failed", self.failed, "bold red" if self.failed else "bold"),
        ):
            text.append(f"{label} ")
            text.append(f"{value:,}  ", style=style)
            text.append("·  ", style="dim")
        text.append(f"refused requests {self.refused:,}", style="yellow" if self.refused else "")
        return text


def target_words(connection: Connection) -> str:
    route = connection.route_to
    where = f"the sandbox at {route}" if route else connection.host
    return f"{where} · license {connection.license_code or '(none)'}"


def detail_text(row: LiveRow) -> Text:
    """The highlighted row: its findings (the worst few), then what became of it; a line each."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(f"{row.source} {row.path}  ", style="bold")
    text.append(f"{row.signal} → {row.webengage}  ·  {row.identity}\n")
    order = {"error": 0, "warning": 1}
    worst = sorted(row.findings, key=lambda f: order.get(f.severity.value, 2))
    for finding in worst[:FINDINGS_SHOWN]:
        style = {"error": "bold red", "warning": "yellow"}.get(finding.severity.value, "dim")
        text.append(f"{finding.severity.value:<7} ", style=style)
        text.append(visible(f"{finding.path}: {finding.message}", one_line=True)[:160] + "\n")
    if len(row.findings) > FINDINGS_SHOWN:
        text.append(f"… and {len(row.findings) - FINDINGS_SHOWN} more (enter: mapping)\n")
    payload = row.payload
    entry = payload.delivery if isinstance(payload, Received) else payload.entry
    if entry is not None and entry.hint is not None:
        verdict, fix = (
            entry.hint.title,
            "" if entry.outcome and entry.outcome.ok else entry.hint.fix,
        )
    else:
        verdict, fix = row.outcome, worst[0].fix if row.errors else ""
    text.append(visible(verdict, one_line=True)[:200] + ("  " if fix else ""), style="bold")
    if fix:  # (no span starts with a space: see row_segments)
        text.append("Fix: ", style="bold")
        text.append(visible(fix, one_line=True)[:200])
    return text
