"""The requests as `webengage-debugger preview` prints them: strict JSON, written quickly for a stream.

`strict_json` is the text of one request's `preview_dict()`; `RequestTexts` writes the same text
for a stream of them, its head (method, URL, headers) kept, and (`of`) for a clean event's body
without building its request at all.
"""

from __future__ import annotations

import math
from typing import Any

from tui.webengage.api import Endpoint
from tui.webengage.json_fast import indented_writer
from tui.webengage.request import (
    Connection,
    WebEngageRequest,
    build_request,
    json_text,
    terminal_safe,
)


def _finite(value: Any) -> Any:
    """A copy of `value` with NaN and ±Infinity as None (iterative: any depth)."""
    root: list[Any] = [value]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        item = parent[key]
        if isinstance(item, float) and not math.isfinite(item):
            parent[key] = None
        elif isinstance(item, dict):
            parent[key] = copy = dict(item)
            stack.extend((copy, k) for k in copy)
        elif isinstance(item, list | tuple):
            parent[key] = copy_list = list(item)
            stack.extend((copy_list, i) for i in range(len(copy_list)))
    return root[0]


def strict_json(value: Any) -> str:
    """Exact JSON that never raises (see `json_text`) and never holds NaN or Infinity: strict
    JSON readers (jq, JSON.parse) read it. Such a value is already an error finding."""
    text = json_text(value, indent=2)
    if "NaN" in text or "Infinity" in text:  # (perhaps only inside a string: then the same text)
        text = json_text(_finite(value), indent=2)
    return text


class RequestTexts:
    """`strict_json(request.preview_dict())`, the same text, for a stream of requests: the head
    (method, URL, headers: the same for nearly every event) is written once and kept, and the body
    is written where it goes (`indented`; the general way for anything unusual). `level`: the
    text as it reads that deep in a larger document (in `JsonItems`' array: 1), its lines indented."""

    def __init__(self, level: int = 0) -> None:
        self._heads: dict[tuple[str, str, tuple[tuple[str, str], ...]], str] = {}
        self._routes: tuple[Connection | None, dict[Endpoint, str]] = (None, {})
        self._newline = "\n" + "  " * level
        self._body = indented_writer(2, level=level + 1)

    def __call__(self, request: WebEngageRequest) -> str:
        body = self._body(request.body)
        if body is None or "NaN" in body or "Infinity" in body:  # (perhaps only in a string)
            return strict_json(request.preview_dict()).replace("\n", self._newline)
        return self._head(request) + self._end(body)

    def of(self, connection: Connection, endpoint: Endpoint, body: Any) -> str:
        """`self(build_request(connection, endpoint, body))`, without the request: its head kept
        for the connection and the endpoint (the same in a stream of previews)."""
        held, heads = self._routes
        head = heads.get(endpoint) if held is connection else None
        text = self._body(body) if head is not None else None
        if head is None or text is None or "NaN" in text or "Infinity" in text:
            request = build_request(connection, endpoint, body)
            if held is not connection:
                heads = {}
                self._routes = (connection, heads)
            heads[endpoint] = self._head(request)
            return self(request)
        return head + self._end(text)

    def _head(self, request: WebEngageRequest) -> str:
        """The request's text up to its body (`"body": `), kept for its method, URL and headers."""
        key = (request.method, request.url, tuple(request.headers.items()))
        head = self._heads.get(key)
        if head is None:
            shown = {"method": request.method, "url": request.url, "headers": request.headers}
            head = strict_json(shown)[: -len("\n}")] + ',\n  "body": '
            head = head.replace("\n", self._newline)
            if len(self._heads) < 64:
                self._heads[key] = head
        return head

    def _end(self, body: str) -> str:
        """The body's text (as JSON, printable) and the request's closing brace."""
        if not body.isascii() or "\x7f" in body:
            body = terminal_safe(body)
        return body + self._newline + "}"
