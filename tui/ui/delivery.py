"""What the app's workers and handlers call: send, probe, refuse, learn types. No widgets here.

Kept apart from app.py so that the rules (when a send is refused, what a probe's verdict says) read
in one place and can be tested without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.message_pump import MessagePump

from tui.mapping.preview import Preview
from tui.store.history import History
from tui.store.profiles import missing_credentials
from tui.store.typelock import TypeLock
from tui.ui.messages import DeliveryFinished, DeliveryStarted, DeliveryUpdated
from tui.webengage.entry import LogEntry
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import Connection, WebEngageRequest
from tui.webengage.types import AttributeType

if TYPE_CHECKING:  # httpx and the client load with the first send, not at start-up
    import httpx

    from tui.webengage.client import RetryPolicy


def scrub(text: str, connection: Connection) -> str:
    """Belt and braces: no message shown by the app may carry the key."""
    key = connection.api_key.get_secret_value()
    return text.replace(key, connection.redacted_key()) if key else text


def first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def refusal(
    preview: Preview | None, json_error: str | None, connection: Connection, forced: bool
) -> str | None:
    """Why the composer's event must not be sent now (None: go ahead)."""
    if json_error is not None:
        return f"The properties are not valid JSON ({json_error}). Fix them first."
    if preview is None:
        return "Nothing to send yet."
    if forced:
        return None
    missing = missing_credentials(connection)
    if missing:
        return "Missing " + "; ".join(missing) + ". F2 for credentials (F6 sends anyway)."
    errors = [f for f in preview.findings if f.severity is Severity.ERROR]
    if errors:
        paths = ", ".join(dict.fromkeys(f.path for f in errors))
        plural = "s" if len(errors) > 1 else ""
        return (
            f"{len(errors)} error{plural} ({paths}), listed below. "
            "Fix them, or F6 to send anyway and see how WebEngage reacts."
        )
    return None


class _Reporter:
    """The client's `on_update`: DeliveryStarted once, then DeliveryUpdated, each with a copy
    (the client keeps mutating its entry while it retries)."""

    def __init__(self, target: MessagePump) -> None:
        self.target = target
        self.started = False

    def __call__(self, entry: LogEntry) -> None:
        copy = entry.model_copy(deep=True)
        if self.started:
            self.target.post_message(DeliveryUpdated(copy))
        else:
            self.started = True
            self.target.post_message(DeliveryStarted(copy))


async def deliver(
    target: MessagePump,
    connection: Connection,
    request: WebEngageRequest,
    *,
    transport: httpx.AsyncBaseTransport | None,
    retry: RetryPolicy | None,
    event_name: str,
    findings: Sequence[Finding],
    forced: bool,
    source: str,
) -> LogEntry:
    """Send one request, posting DeliveryStarted/Updated/Finished to `target` as it goes."""
    from tui.webengage.client import WebEngageClient

    reporter = _Reporter(target)
    async with WebEngageClient(connection, transport=transport, retry=retry) as client:
        entry = await client.deliver(
            request,
            event_name=event_name,
            findings=findings,
            forced=forced,
            source=source,
            on_update=reporter,
        )
    target.post_message(DeliveryFinished(entry.model_copy(deep=True)))
    return entry


async def probe(
    connection: Connection, transport: httpx.AsyncBaseTransport | None
) -> tuple[bool, str, str]:
    """The harmless test (POST /events with {} on each data centre): ok, verdict, detail + fix."""
    from tui.delivery.diagnose import diagnose

    diagnosis = await diagnose(connection, transport=transport)
    detail = f"{diagnosis.detail}\nFix: {diagnosis.fix}" if not diagnosis.ok else diagnosis.detail
    return diagnosis.ok, scrub(diagnosis.title, connection), scrub(detail, connection)


class TypeMemory:
    """The type lock, cached per license code: the preview asks on every keystroke, so the
    database is read only when the license code changes or an accepted delivery taught it more."""

    def __init__(self, history: History | None) -> None:
        self._lock = TypeLock(history) if history is not None else None
        self._cache: dict[str, dict[str, AttributeType]] = {}

    def known_types(self, license_code: str) -> Mapping[str, AttributeType] | None:
        if self._lock is None or not license_code:
            return None
        if license_code not in self._cache:
            self._cache[license_code] = self._lock.known_types(license_code)
        return self._cache[license_code] or None

    def learn(self, entry: LogEntry) -> bool:
        """Remember an accepted delivery's attribute types; True when something new was locked."""
        if self._lock is None:
            return False
        locked = self._lock.record_entry(entry)
        if locked:
            self._cache.pop(entry.license_code, None)
        return bool(locked)
