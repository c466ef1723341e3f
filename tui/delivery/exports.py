"""Taking a delivery elsewhere: a curl command, a HAR file for browser devtools, a support evidence pack.

None of them ever carries the REST API key: log entries hold only the redacted request, curl reads
the key from $WEBENGAGE_API_KEY at run time, and the evidence pack also masks the license code
(it goes into tickets and chats that outlive the key's rotation).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tui.store.files import write_private
from tui.store.history import outcome_label
from tui.webengage.entry import LogEntry, Target, sent_to

HAR_VERSION = "1.2"
EVIDENCE_BODY_MAX = 8000
"""Longest response body quoted in an evidence pack (an HTML error page can be huge)."""


def _tool_version() -> str:
    try:
        return metadata.version("webengage-debugger")
    except metadata.PackageNotFoundError:
        return "0"


def entry_to_curl(entry: LogEntry) -> str:
    """The delivery as a curl command; the key is read from $WEBENGAGE_API_KEY when it runs.

    A delivery that went to a sandbox (or was routed elsewhere) gives the curl that reaches the
    same place again, with WebEngage's Host header, and says so: pasted as it is, it never hits
    the real API by surprise."""
    if not entry.route:
        return entry.request.to_curl()
    request = entry.request
    parts = urlsplit(request.url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    routed = request.model_copy(
        update={
            "url": entry.route.rstrip("/") + path,
            "headers": {**request.headers, "Host": parts.netloc},
        }
    )
    where = "the sandbox" if entry.target is Target.SANDBOX else "a routed address"
    return (
        f"# This delivery went to {where} at {entry.route}, not to WebEngage.\n"
        f"# For WebEngage itself, send to {request.url} without the Host header.\n"
        + routed.to_curl()
    )


# --- HAR 1.2 ----------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _pairs(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in headers.items()]


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _target_tag(entry: LogEntry) -> str:
    return f"[{entry.target.value}] " if entry.target and entry.target is not Target.REAL else ""


def _har_response(entry: LogEntry) -> dict[str, Any]:
    status = entry.status or 0
    last = entry.attempts[-1] if entry.attempts else None
    headers = {k.lower(): v for k, v in entry.response_headers.items()}
    text = entry.response_body or ""
    response: dict[str, Any] = {
        "status": status,
        "statusText": _status_text(status) if status else "",
        "httpVersion": "HTTP/1.1" if status else "",
        "headers": _pairs(entry.response_headers),
        "cookies": [],
        "content": {
            "size": len(text.encode("utf-8")),
            "mimeType": headers.get("content-type", "application/json" if text else "x-unknown"),
            "text": text,
        },
        "redirectURL": headers.get("location", ""),
        "headersSize": -1,
        "bodySize": len(text.encode("utf-8")) if entry.response_body is not None else -1,
    }
    if not status:
        error = (last.error if last else None) or (
            "interrupted: the send never finished" if entry.outcome is None else "no response"
        )
        response["_error"] = error
        response["comment"] = f"No response: {error}"
    return response


def _har_entry(entry: LogEntry) -> dict[str, Any]:
    request = entry.request
    body = request.body_text()
    query = [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(request.url).query)]
    elapsed = max(0.0, entry.latency_ms or 0.0)
    response = _har_response(entry)
    har: dict[str, Any] = {
        "startedDateTime": _iso(
            entry.attempts[0].started_at if entry.attempts else entry.created_at
        ),
        "time": elapsed,
        "request": {
            "method": request.method,
            "url": request.url,
            "httpVersion": "HTTP/1.1",
            "headers": _pairs(request.headers),
            "queryString": query,
            "cookies": [],
            "headersSize": -1,
            "bodySize": len(body.encode("utf-8")),
            "postData": {"mimeType": "application/json", "text": body},
        },
        "response": response,
        "cache": {},
        "timings": {"send": 0, "wait": elapsed, "receive": 0},
        "comment": f"{_target_tag(entry)}{entry.event_name or '(no event name)'}: "
        f"{outcome_label(entry)}",
        "_target": entry.target.value if entry.target else None,
        "_sentTo": entry.route or request.url,
        "_requestId": entry.request_id,
        "_outcome": outcome_label(entry),
        "_dataCentre": entry.data_centre,
        "_attempts": [a.model_dump(mode="json") for a in entry.attempts],
    }
    if entry.hint is not None:
        har["_hint"] = entry.hint.model_dump()
    return har


def entries_to_har(entries: Iterable[LogEntry]) -> dict[str, Any]:
    """A HAR 1.2 log (one HAR entry per delivery; its attempts in `_attempts`), oldest first,
    which Chrome's and Firefox's network panels import."""
    ordered = sorted(entries, key=lambda e: e.created_at)
    return {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "webengage-debugger", "version": _tool_version()},
            "pages": [],
            "entries": [_har_entry(entry) for entry in ordered],
        }
    }


def har_text(entries: Iterable[LogEntry]) -> str:
    return json.dumps(entries_to_har(entries), ensure_ascii=False, indent=2)


# --- Markdown evidence pack -------------------------------------------------------------------


def mask_license_code(license_code: str) -> str:
    """`sbx~demo` → `sbx~****`: enough to recognise the account, not enough to send as it."""
    if not license_code:
        return "(none)"
    if len(license_code) <= 4:
        return "****"
    keep = license_code.rfind("~") + 1
    keep = min(max(keep, 3), len(license_code) - 2)
    return license_code[:keep] + "****"


def _fence(text: str, language: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{language}\n{text}\n{fence}"


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _summary_lines(entry: LogEntry) -> list[str]:
    """The heading and the at-a-glance table: what support asks for first."""
    request = entry.request
    status = entry.status if entry.status is not None else "no response"
    finished = _iso(entry.finished_at) if entry.finished_at else "not finished"
    lines = [
        f"## {entry.event_name or '(no event name)'}: {outcome_label(entry)}",
        "",
        "| | |",
        "|---|---|",
        f"| Outcome | {_cell(outcome_label(entry))} |",
        f"| HTTP status | {_cell(status)} |",
        f"| Data centre | {_cell(entry.data_centre or '(unknown)')} |",
        f"| Sent to | {_cell(sent_to(entry))} |",
        f"| Host | {_cell(entry.host)} |",
        f"| License code | {_cell(entry.license_code)} |",
        f"| Endpoint | {_cell(f'{request.method} {request.url}')} |",
        f"| Started (UTC) | {_iso(entry.created_at)} |",
        f"| Finished (UTC) | {finished} |",
        f"| Total latency | {f'{entry.latency_ms:.0f} ms' if entry.latency_ms is not None else '-'} |",
        f"| x-request-id | `{entry.request_id}` |",
    ]
    if entry.rate_limit_limit is not None:
        lines.append(
            f"| Rate limit | {entry.rate_limit_remaining} of {entry.rate_limit_limit} left |"
        )
    if entry.forced:
        lines.append("| Forced | sent despite findings of severity error |")
    if entry.source:
        lines.append(f"| Source | {_cell(entry.source)} |")
    return lines


def _hint_lines(entry: LogEntry) -> list[str]:
    if entry.hint is None:
        return []
    return [
        "",
        f"**{entry.hint.title}**",
        "",
        entry.hint.detail,
        "",
        f"Fix: {entry.hint.fix}",
    ]


def _attempt_lines(entry: LogEntry) -> list[str]:
    """One table row per attempt, so retries and their back-off are visible."""
    if not entry.attempts:
        return []
    lines = [
        "",
        "### Attempts",
        "",
        "| # | started (UTC) | latency | status | error | retry-after | backoff |",
        "|---|---|---|---|---|---|---|",
    ]
    for a in entry.attempts:
        latency = f"{a.latency_ms:.0f} ms" if a.latency_ms is not None else "-"
        lines.append(
            f"| {a.number} | {_iso(a.started_at)} | {latency} | {a.status or '-'} | "
            f"{_cell(a.error or '-')} | {a.retry_after_s if a.retry_after_s is not None else '-'} | "
            f"{f'{a.backoff_s:.2f} s' if a.backoff_s is not None else '-'} |"
        )
    return lines


def _findings_lines(entry: LogEntry) -> list[str]:
    if not entry.findings:
        return []
    return [
        "",
        "### Findings before sending",
        "",
        *(f"- {_cell(f.line())}" for f in entry.findings),
    ]


def _request_lines(entry: LogEntry) -> list[str]:
    request = entry.request
    headers = "\n".join(f"{k}: {v}" for k, v in request.headers.items())
    return [
        "",
        "### Request",
        "",
        _fence(
            f"{request.method} {request.url}\n{headers}\n\n{request.body_text(indent=2)}", "http"
        ),
    ]


def _response_lines(entry: LogEntry) -> list[str]:
    """The response as received (the body cut at EVIDENCE_BODY_MAX), or why there was none."""
    lines = ["", "### Response", ""]
    if entry.status is None:
        error = entry.attempts[-1].error if entry.attempts and entry.attempts[-1].error else None
        lines.append(f"No response was received{f': {error}' if error else '.'}")
    else:
        head = "\n".join(f"{k}: {v}" for k, v in entry.response_headers.items())
        body = entry.response_body or ""
        cut = len(body) > EVIDENCE_BODY_MAX or entry.response_truncated
        body = body[:EVIDENCE_BODY_MAX] + ("\n… (truncated)" if cut else "")
        lines.append(
            _fence(f"HTTP/1.1 {entry.status} {_status_text(entry.status)}\n{head}\n\n{body}")
        )
    return lines


def _reproduce_lines(entry: LogEntry) -> list[str]:
    return [
        "",
        "### Reproduce",
        "",
        "Set WEBENGAGE_API_KEY in your shell first: the key is not part of this document (and "
        "the license code in the URL is masked: put yours back).",
        "",
        _fence(entry_to_curl(entry), "sh"),
    ]


def _entry_markdown(entry: LogEntry) -> str:
    lines = [
        *_summary_lines(entry),
        *_hint_lines(entry),
        *_attempt_lines(entry),
        *_findings_lines(entry),
        *_request_lines(entry),
        *_response_lines(entry),
        *_reproduce_lines(entry),
    ]
    text = "\n".join(lines)
    if entry.license_code:
        text = text.replace(entry.license_code, mask_license_code(entry.license_code))
    return text


def evidence_markdown(entries: LogEntry | Sequence[LogEntry]) -> str:
    """A Markdown evidence pack for a WebEngage support ticket: for each delivery the request, the
    response, data centre, host, times (UTC), outcome, hint and attempts. The key is never in it and
    the license code is masked."""
    items = [entries] if isinstance(entries, LogEntry) else list(entries)
    now = _iso(datetime.now(UTC))
    header = [
        "# WebEngage delivery evidence",
        "",
        f"Generated {now} by webengage-debugger {_tool_version()}: {len(items)} "
        f"deliver{'y' if len(items) == 1 else 'ies'}. The REST API key is not included and "
        "license codes are masked.",
    ]
    return "\n\n".join(["\n".join(header), *(_entry_markdown(e) for e in items)]) + "\n"


def write_export(
    directory: Path, kind: str, entries: Sequence[LogEntry], current: LogEntry | None
) -> Path:
    """Write an evidence pack of `current` (`kind="evidence"`) or a HAR of `entries`, owner-only,
    into `directory`; the path. Raises OSError."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if kind == "evidence" and current is not None:
        return write_private(
            directory / f"evidence-{stamp}-{current.id[:8]}.md", evidence_markdown(current)
        )
    return write_private(directory / f"deliveries-{stamp}.har", har_text(list(entries)))
