"""Where a request goes (Connection) and what it is (WebEngageRequest), with the key always redacted.

The REST API key lives only in `Connection.api_key` (a SecretStr). A `WebEngageRequest` never holds it:
its headers carry the redacted form, and the client adds the real header at the moment of sending.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, SecretStr

from tui.masking import redact_key
from tui.webengage.api import BULK_ITEMS_MAX, DataCentre, Endpoint

API_KEY_ENV = "WEBENGAGE_API_KEY"


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
        return json.dumps(self.body, ensure_ascii=False, indent=indent, separators=separators)

    def body_bytes(self) -> bytes:
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
    headers = {
        "Authorization": f"Bearer {connection.redacted_key()}",
        "Content-Type": "application/json",
    }
    if request_id:
        headers["x-request-id"] = request_id
    return WebEngageRequest(
        endpoint=endpoint, url=connection.url(endpoint), headers=headers, body=body
    )


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
