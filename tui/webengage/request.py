"""Where a request goes (Connection) and what it is (WebEngageRequest), with the key always redacted.

The REST API key lives only in `Connection.api_key` (a SecretStr). A `WebEngageRequest` never holds it:
its headers carry the redacted form, and the client adds the real header at the moment of sending.
"""

from __future__ import annotations

import decimal
import json
import re
import secrets
import shlex
import sys
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from tui.masking import redact_key
from tui.safe_text import BIDI_CONTROLS
from tui.webengage.api import BULK_ITEMS_MAX, DataCentre, Endpoint
from tui.webengage.fast import construct
from tui.webengage.json_fast import compact, indented

API_KEY_ENV = "WEBENGAGE_API_KEY"

_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI_CONTROLS}\ud800-\udfff]")
"""What `json.dumps(ensure_ascii=False)` leaves raw but a terminal obeys (DEL, C1 controls,
bidirectional controls, line separators) or UTF-8 cannot encode (lone surrogates)."""
_PLACEHOLDER = re.compile(r'"([0-9a-f]{16}):(\d+)"')
"""Where `_jsonable` put an integer json cannot write (the nonce, then its index)."""
SHOWN_DEPTH_MAX = 100
"""Past this depth a value json cannot write, or any value written indented, is shown as a note:
json recurses, and indented it costs depth squared."""


@cache
def _smallest_too_long(limit: int) -> int:
    return int(10**limit)


def int_too_long(value: int) -> bool:
    """True for an integer with more digits than Python writes or reads (4,300 by default)."""
    limit = sys.get_int_max_str_digits()
    return bool(limit) and abs(value) >= _smallest_too_long(limit)


def too_long_bound() -> int | None:
    """The smallest magnitude `int_too_long` is true for (None: no limit is set)."""
    limit = sys.get_int_max_str_digits()
    return _smallest_too_long(limit) if limit else None


_TOKEN = re.compile(r'"(?:[^"\\]+|\\.)*"|-?(\d+)(\.\d+)?([eE][-+]?\d+)?')
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile(r"(?<!\\)(?:\\\\)*\\u([dD][89a-fA-F][0-9a-fA-F]{2})")
_LOW_ESCAPE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def long_number_index(text: str) -> int | None:
    """Where the first integer too long to read (see `int_too_long`) starts in JSON `text`."""
    limit = sys.get_int_max_str_digits()
    for match in _TOKEN.finditer(text):
        digits, fraction, exponent = match.groups()
        if digits and not fraction and not exponent and limit and len(digits) > limit:
            return match.start()
    return None


def lone_surrogate(text: str) -> tuple[int, int] | None:
    """(index, code point) of the first lone surrogate in JSON `text`, as an escape or raw:
    not valid Unicode, so UTF-8 cannot carry it. An escaped pair (`\\ud83d\\ude00`) is one
    character. Assumes `text` is valid JSON (backslashes only inside strings)."""
    raw: tuple[int, int] | None = None
    if not text.isascii():
        try:
            text.encode("utf-8")  # quicker than any scan; says where the first raw one is
        except UnicodeEncodeError as error:
            raw = error.start, ord(text[error.start])
    if _MAYBE_SURROGATE.search(text) is None:
        return raw
    paired_until = -1
    for match in _SURROGATE.finditer(text):
        code, index = int(match.group(1), 16), match.end() - 6
        if raw is not None and raw[0] < index:
            return raw
        if index < paired_until:
            continue
        if code < 0xDC00 and _LOW_ESCAPE.match(text, match.end()):
            paired_until = match.end() + 6
            continue
        return index, code
    return raw


def json_text(
    value: Any,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    default: Callable[[Any], Any] | None = None,
) -> str:
    """`value` as JSON text, never raising, always printable and encodable as UTF-8.

    Like `json.dumps(ensure_ascii=False)`, but the characters above (`_JSON_UNSAFE`) are written
    as `\\uXXXX` escapes: the same JSON, never obeyed by a terminal. What json cannot write at all
    (integers of more than 4,300 digits, non-JSON objects, non-string keys, absurd nesting; the
    findings say what is wrong with them) is written as near to the value as can be.
    """
    try:
        if indent is None:
            text = compact(value, separators, default)
        elif (fast := indented(value, indent, separators)) is not None:
            text = fast  # the same text as below, for plain data (`tui.webengage.json_fast`)
        elif _deeper_than(value, SHOWN_DEPTH_MAX):
            raise RecursionError
        else:
            text = json.dumps(
                value, ensure_ascii=False, indent=indent, separators=separators, default=default
            )
    except (TypeError, ValueError, RecursionError):
        nonce = secrets.token_hex(8)
        long_ints: list[str] = []
        text = json.dumps(
            _jsonable(value, nonce, long_ints),
            ensure_ascii=False,
            indent=indent,
            separators=separators,
        )
        if long_ints:  # written out exactly (Decimal has no digit limit)
            text = _PLACEHOLDER.sub(lambda m: long_ints[int(m[2])] if m[1] == nonce else m[0], text)
    return terminal_safe(text)


def terminal_safe(text: str) -> str:
    """JSON `text` with the characters `_JSON_UNSAFE` names as `\\uXXXX` escapes (`json_text`'s
    last step: the same JSON, never obeyed by a terminal)."""
    if text.isascii() and "\x7f" not in text:  # the usual case: nothing to escape
        return text
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _deeper_than(value: Any, limit: int) -> bool:
    """True when lists or objects in `value` nest deeper than `limit` (level by level, holding
    only the containers, each once: quick on the hot path, and it stops as soon as it knows)."""
    level = [value] if isinstance(value, dict | list | tuple) else []
    seen: set[int] = set()
    for _ in range(limit):
        below: list[Any] = []
        for item in level:
            if id(item) not in seen:
                seen.add(id(item))
                children = item.values() if isinstance(item, dict) else item
                below.extend(c for c in children if isinstance(c, dict | list | tuple))
        if not below:
            return False
        level = below
    return True


def _jsonable(value: Any, nonce: str, long_ints: list[str]) -> Any:
    """A copy of `value` that json.dumps can always write (iterative: any depth, any cycle)."""
    root: list[Any] = [None]
    seen: set[int] = set()
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, slot, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth >= SHOWN_DEPTH_MAX or id(item) in seen:
                parent[slot] = "(nested too deeply, or a repeated reference: not shown)"
                continue
            seen.add(id(item))
        if isinstance(item, dict):
            copy: dict[str, Any] = {}
            for key, child in item.items():
                name = key if isinstance(key, str) else _scalar_text(key)
                copy[name] = None
                stack.append((child, copy, name, depth + 1))
            parent[slot] = copy
        elif isinstance(item, list | tuple):
            items: list[Any] = [None] * len(item)
            stack.extend((child, items, i, depth + 1) for i, child in enumerate(item))
            parent[slot] = items
        elif isinstance(item, int) and not isinstance(item, bool) and int_too_long(item):
            long_ints.append(str(decimal.Decimal(item)))
            parent[slot] = f"{nonce}:{len(long_ints) - 1}"
        elif item is None or isinstance(item, str | bool | int | float):
            parent[slot] = item
        else:
            parent[slot] = _scalar_text(item)
    return root[0]


def _scalar_text(value: Any) -> str:
    """A non-string key or a non-JSON value as text, as json would write a key (never raising)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(decimal.Decimal(value))
    try:
        return repr(value)
    except Exception:  # a repr that raises (or holds an over-long integer)
        return f"<{type(value).__name__}>"


class Connection(BaseModel):
    """The credentials and the route: data centre (or custom host), license code, REST API key.

    `route_to` is the base URL of a local sandbox: requests are sent there while keeping the real
    `Host` header, so a request for the wrong data centre fails the way WebEngage's would.
    """

    model_config = ConfigDict(frozen=True)

    data_centre: DataCentre | None = DataCentre.GLOBAL
    custom_host: str | None = None
    license_code: str = ""
    api_key: SecretStr = SecretStr("")
    route_to: str | None = None

    @property
    def base_url(self) -> str:
        """The API's base URL as the user addressed it (never the sandbox's loopback address)."""
        if self.data_centre is None:
            host = (self.custom_host or "").strip().rstrip("/")
            if not host:
                return "https://(no host)"
            return host if "://" in host else f"https://{host}"
        return f"https://{self.data_centre.api_host}"

    @property
    def host(self) -> str:
        """The host name (with port, if any) that goes in the `Host` header."""
        return urlsplit(self.base_url).netloc

    @property
    def data_centre_label(self) -> str:
        if self.data_centre is not None:
            return self.data_centre.label
        known = DataCentre.from_host(self.host)
        return known.label if known else "custom"

    def url(self, endpoint: Endpoint) -> str:
        return f"{self.base_url}{endpoint.path(self.license_code or '(no license code)')}"

    def wire_url(self, endpoint: Endpoint) -> str:
        """The URL actually connected to: the sandbox's when routed there, else the public one."""
        if self.route_to:
            return f"{self.route_to.rstrip('/')}{endpoint.path(self.license_code)}"
        return self.url(endpoint)

    def wire_headers(self, request: WebEngageRequest) -> dict[str, str]:
        """The headers to send: the request's, with the real key, and the real Host when routed."""
        headers = dict(request.headers)
        headers["Authorization"] = f"Bearer {self.api_key.get_secret_value()}"
        if self.route_to:
            headers["Host"] = self.host
        return headers

    def redacted_key(self) -> str:
        return redact_key(self.api_key.get_secret_value())

    def key_problem(self) -> str | None:
        """Why the key cannot go in an Authorization header at all (None when it can): which
        character is wrong and where, never the key itself."""
        key = self.api_key.get_secret_value()
        for index, char in enumerate(key, start=1):
            what = _key_char_problem(char)
            if what is not None:
                return (
                    f"the REST API key contains {what} (character {index} of {len(key)}), so it "
                    "cannot be sent; re-copy it from Data Platform > Integrations > REST API"
                )
        return None


def _key_char_problem(char: str) -> str | None:
    if char in "\r\n":
        return "a line break"
    if char == "\t":
        return "a tab"
    if char.isspace():
        return "a space"
    if not char.isascii():
        return "a non-ASCII character"
    return None if char.isprintable() else "a control character"


class WebEngageRequest(BaseModel):
    """The exact request, as shown to the user: the key in `headers` is already redacted."""

    model_config = ConfigDict(frozen=True)

    method: str = "POST"
    endpoint: Endpoint
    url: str
    headers: dict[str, str]
    body: Any

    def body_text(self, indent: int | None = None) -> str:
        """The body as JSON. `indent=None` gives the exact bytes sent on the wire."""
        separators = (",", ": ") if indent else (",", ":")
        return json_text(self.body, indent=indent, separators=separators)

    def body_bytes(self) -> bytes:
        """The body as sent: UTF-8, never raising (`json_text` escapes what UTF-8 cannot encode)."""
        return self.body_text().encode("utf-8")

    def preview_dict(self) -> dict[str, Any]:
        """`{"method", "url", "headers", "body"}`: what `webengage-debugger preview` prints."""
        return {"method": self.method, "url": self.url, "headers": self.headers, "body": self.body}

    def to_curl(self, api_key: SecretStr | None = None) -> str:
        """A curl command line. Without `api_key` the key is read from $WEBENGAGE_API_KEY at run time."""
        headers = dict(self.headers)
        auth = (
            f"Authorization: Bearer {api_key.get_secret_value()}"
            if api_key is not None
            else f"Authorization: Bearer ${API_KEY_ENV}"
        )
        headers.pop("Authorization", None)
        parts = [f"curl -sS -X {self.method} {shlex.quote(self.url)}"]
        # Double quotes so the shell expands $WEBENGAGE_API_KEY; nothing else in it needs quoting.
        parts.append(f'-H "{auth}"' if api_key is None else f"-H {shlex.quote(auth)}")
        parts.extend(f"-H {shlex.quote(f'{name}: {value}')}" for name, value in headers.items())
        parts.append(f"--data-raw {shlex.quote(self.body_text())}")
        return " \\\n  ".join(parts)


def build_request(
    connection: Connection,
    endpoint: Endpoint,
    body: Any,
    *,
    request_id: str | None = None,
) -> WebEngageRequest:
    """The request for `body` on `endpoint`, headers in WebEngage's order, key redacted."""
    held, routes = _routes
    route = routes.get(endpoint) if held is connection else None
    url, authorization = route if route is not None else _route(connection, endpoint)
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    if request_id:
        headers["x-request-id"] = request_id
    values = {
        "method": "POST",
        "endpoint": endpoint,
        "url": url,
        "headers": headers,
        "body": body,
    }
    return construct(WebEngageRequest, values)  # (every value built here: nothing to validate)


_routes: tuple[Connection | None, dict[Endpoint, tuple[str, str]]] = (None, {})
"""The connection the last request was built for, and its (URL, Authorization header) by endpoint:
a stream of previews has one connection. A Connection is frozen, and held here it cannot be
another one with the same id."""


def _route(connection: Connection, endpoint: Endpoint) -> tuple[str, str]:
    global _routes
    held, routes = _routes
    if held is not connection:
        routes = {}
        _routes = (connection, routes)
    route = routes.get(endpoint)
    if route is None:
        route = routes[endpoint] = (connection.url(endpoint), f"Bearer {connection.redacted_key()}")
    return route


BULK_KEY = {Endpoint.BULK_EVENTS: "events", Endpoint.BULK_USERS: "users"}
"""The list a bulk body holds its items in."""


def bulk_requests(
    connection: Connection,
    bodies: Sequence[Any],
    *,
    endpoint: Endpoint = Endpoint.BULK_EVENTS,
    chunk_size: int = BULK_ITEMS_MAX,
) -> list[WebEngageRequest]:
    """`bodies` in calls of at most `chunk_size` (WebEngage's maximum is 25) on a bulk endpoint."""
    if not endpoint.is_bulk:
        raise ValueError(f"{endpoint.value} is not a bulk endpoint")
    size = max(1, min(chunk_size, BULK_ITEMS_MAX))
    key = BULK_KEY[endpoint]
    return [
        build_request(connection, endpoint, {key: list(bodies[i : i + size])})
        for i in range(0, len(bodies), size)
    ]
