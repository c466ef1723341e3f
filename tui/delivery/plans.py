"""Plans: the calls a replay or a backfill makes, in the order it makes them, as `Job`s.

`plan_bulk` (25 items a call, one call open per endpoint, input order within each) and
`plan_each` (one call per event, in input order) are lazy and deterministic: the dry run prints the
plan the send makes, and a resumed backfill plans the same calls again (`tui.delivery.backfill`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui.webengage.api import BULK_ITEMS_MAX, Endpoint
from tui.webengage.findings import Finding, Severity
from tui.webengage.request import BULK_KEY, Connection, WebEngageRequest, build_request

_BULK_OF = {Endpoint.EVENTS: Endpoint.BULK_EVENTS, Endpoint.USERS: Endpoint.BULK_USERS}


def _unpack(item: Any, default: Endpoint) -> tuple[Endpoint, Any, str]:
    request = getattr(item, "request", None)
    if isinstance(request, WebEngageRequest):
        if request.endpoint.is_bulk and isinstance(request.body, dict):
            raise ValueError("replay takes single events or users, not bulk bodies")
        return request.endpoint, request.body, str(getattr(item, "event_name", "") or "")
    name = item.get("eventName", "") if isinstance(item, dict) else ""
    return default, item, str(name)


@dataclass
class Job:
    """One call of a plan: its request, its items' count and input indices (`first`..`last`)."""

    request: WebEngageRequest
    items: int
    event_name: str
    first: int = 0
    last: int = 0
    findings: Sequence[Finding] = ()  # one event's (plan_each), for its log entry
    forced: bool = False


@dataclass
class _OpenCall:
    """A bulk call being filled: its bodies and its items' first and last input index."""

    first: int
    last: int = 0
    bodies: list[Any] = field(default_factory=list)

    def job(self, connection: Connection, endpoint: Endpoint) -> Job:
        key, count = BULK_KEY[endpoint], len(self.bodies)
        request = build_request(connection, endpoint, {key: self.bodies})
        return Job(request, count, f"{count} {key}", self.first, self.last)


def plan_bulk(
    connection: Connection,
    items: Iterable[tuple[int, Any]],
    *,
    chunk_size: int = BULK_ITEMS_MAX,
) -> Iterator[Job]:
    """(index, body or Preview) pairs as bulk calls of `chunk_size` items (at most WebEngage's
    25), one call open per endpoint: the identifies among an export's events fill /bulk-users
    calls of their own instead of cutting the /bulk-events ones short (cut at every identify, a
    file with one per user sent 2-4 events a call: a tenth of the account's ceiling).

    Input order is kept within each endpoint. Across the two it cannot be: WebEngage queues each
    call and processes it asynchronously, so even calls made one after another are not applied in
    order (an event for a user not yet identified creates the user; the identify then sets the
    attributes). A call goes out when full; at the end, the open ones by their first item. The
    plan is deterministic, so a resumed backfill plans the same calls. `first` and `last` are the
    input indices of a call's first and last item, `items` how many it carries (the other
    endpoint's items, and any left out, lie between)."""
    size = max(1, min(chunk_size, BULK_ITEMS_MAX))
    open_calls: dict[Endpoint, _OpenCall] = {}
    for index, item in items:
        target, body, _name = _unpack(item, Endpoint.EVENTS)
        target = _BULK_OF.get(target, target)
        call = open_calls.get(target)
        if call is None:
            call = open_calls[target] = _OpenCall(first=index)
        call.bodies.append(body)
        call.last = index
        if len(call.bodies) >= size:
            yield open_calls.pop(target).job(connection, target)
    for endpoint, call in sorted(open_calls.items(), key=lambda pair: pair[1].first):
        yield call.job(connection, endpoint)


def plan_each(
    connection: Connection, items: Iterable[tuple[int, Any]], endpoint: Endpoint = Endpoint.EVENTS
) -> Iterator[Job]:
    """One call per item: bodies go to `endpoint`, Previews where their request says."""
    for index, item in items:
        target, body, name = _unpack(item, endpoint)
        request = getattr(item, "request", None)
        if not isinstance(request, WebEngageRequest):
            request = build_request(connection, target, body)
        findings = tuple(getattr(item, "findings", ()))
        forced = any(f.severity is Severity.ERROR for f in findings)
        yield Job(request, 1, name, index, index, findings, forced)


def plan_calls(
    connection: Connection, items: Iterable[tuple[int, Any]], bulk: bool
) -> Iterator[Job]:
    """The calls `send FILE` makes (`plan_each`), or `send FILE --bulk` (`plan_bulk`): its dry
    run, its survey and its sending all plan with this."""
    return plan_bulk(connection, items) if bulk else plan_each(connection, items)
