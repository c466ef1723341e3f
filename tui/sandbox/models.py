"""What a sandbox is configured with: its accounts, its limits, and the faults a test can inject.

Keys are SecretStr so that a config can be printed, logged or put in an exception without giving
one away; the sandbox's own demo key is public (it is in this file) but is treated the same way.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from tui.webengage.api import BULK_CALLS_PER_MINUTE, CALLS_PER_MINUTE, DataCentre

DEMO_LICENSE_CODE = "sbx~demo"
DEMO_API_KEY = "sbx-demo-key-7c1e4a90b3d2f58e6a4c"
DEFAULT_CLI_PORT = 8787
"""`webengage-debugger sandbox` listens here unless `--port` says otherwise (tests use port 0)."""
DEDUPE_WINDOW_S = 4 * 3600.0
"""WebEngage drops a repeat of an `x-request-id` seen within 4 hours."""
KEEP_EVENTS = 10_000
"""How many accepted requests the sandbox keeps (the oldest are dropped first)."""
READ_TIMEOUT_S = 5.0
"""How long a connection may sit idle or half-sent before the sandbox closes it."""
ADMIN_TOKEN_HEADER = "X-Sandbox-Token"
"""The header that carries the admin token on every `/sandbox/*` request."""
ADMIN_TOKEN_MIN = 16


class SandboxAccount(BaseModel):
    """One WebEngage account: its license code, its REST API key and the data centre it lives in.

    `restricted_keys` are keys of admins without Account Management + Update Data: WebEngage
    knows them but answers 401, which is what the "auth" hint has to explain.
    """

    model_config = ConfigDict(defer_build=True, frozen=True)

    license_code: str = Field(min_length=1)
    api_key: SecretStr
    data_centre: DataCentre = DataCentre.GLOBAL
    restricted_keys: tuple[SecretStr, ...] = ()

    def owns_key(self, key: str) -> bool:
        return key == self.api_key.get_secret_value() or self.is_restricted(key)

    def is_restricted(self, key: str) -> bool:
        return any(key == k.get_secret_value() for k in self.restricted_keys)


def demo_account() -> SandboxAccount:
    return SandboxAccount(
        license_code=DEMO_LICENSE_CODE,
        api_key=SecretStr(DEMO_API_KEY),
        data_centre=DataCentre.GLOBAL,
    )


class SandboxConfig(BaseModel):
    """Accounts and limits. Rate limits count per account and per endpoint, over `window_s`."""

    # Errors never echo their input: a rejected admin token is still somebody's token.
    model_config = ConfigDict(defer_build=True, frozen=True, hide_input_in_errors=True)

    accounts: tuple[SandboxAccount, ...] = Field(default_factory=lambda: (demo_account(),))
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    rate_limit: int = Field(default=CALLS_PER_MINUTE, ge=1)
    """Requests per window on /events and on /users (each its own count)."""
    bulk_rate_limit: int = Field(default=BULK_CALLS_PER_MINUTE, ge=1)
    """Requests per window on /bulk-events and on /bulk-users."""
    window_s: float = Field(default=60.0, gt=0)
    dedupe_window_s: float = Field(default=DEDUPE_WINDOW_S, ge=0)
    max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    success_status: Literal[200, 201, 202] = 200
    """The integration spec says 200; third-party clients also see 201 (any 2xx must count)."""
    keep_events: int = Field(default=KEEP_EVENTS, ge=1)
    """Accepted requests kept for `accepted()` and `GET /sandbox/events`: the newest this many;
    older ones are dropped (and counted: `X-Sandbox-Dropped`)."""
    read_timeout_s: float = Field(default=READ_TIMEOUT_S, gt=0, le=3600)
    """A connection that sends nothing, or part of a request line and headers, or sits idle
    between requests this long is closed; a body must arrive within it too (else 408)."""
    admin_token: SecretStr | None = None
    """The token `/sandbox/*` requires in `X-Sandbox-Token`; None: a random one per Sandbox."""

    @field_validator("admin_token")
    @classmethod
    def _usable_token(cls, token: SecretStr | None) -> SecretStr | None:
        if token is None:
            return None
        value = token.get_secret_value()
        if len(value) < ADMIN_TOKEN_MIN or not all("!" <= c <= "~" for c in value):
            raise ValueError(
                f"the admin token must be at least {ADMIN_TOKEN_MIN} printable ASCII "
                "characters, without spaces"
            )
        return token

    @model_validator(mode="after")
    def _unique(self) -> Self:
        if not self.accounts:
            raise ValueError("a sandbox needs at least one account")
        codes = [a.license_code for a in self.accounts]
        if len(set(codes)) != len(codes):
            raise ValueError("two sandbox accounts share a license code")
        keys = [
            k.get_secret_value() for a in self.accounts for k in (a.api_key, *a.restricted_keys)
        ]
        if len(set(keys)) != len(keys):
            raise ValueError("two sandbox accounts share an API key")
        return self


class FaultKind(StrEnum):
    """The ways a request can fail before WebEngage's own checks (a proxy, an outage, a network)."""

    LATENCY = "latency"  # wait `delay_s`, then answer normally: for read timeouts
    SERVER_ERROR = "server_error"  # `status` (503) with WebEngage's JSON error, or an empty body
    RATE_LIMIT = "rate_limit"  # 429, with `Retry-After` when `retry_after_s` is set
    HTML = "html"  # an HTML error page, as a proxy in front of WebEngage sends (502)
    RESET = "reset"  # the connection is reset: no response at all
    NOT_JSON = "not_json"  # a 2xx whose body is not JSON


_DEFAULT_STATUS = {
    FaultKind.SERVER_ERROR: 503,
    FaultKind.RATE_LIMIT: 429,
    FaultKind.HTML: 502,
    FaultKind.NOT_JSON: 200,
}


class Fault(BaseModel):
    """A fault for the next `times` API requests (None = every request until cleared).

    Faults queue up and are used in order, one request at a time. `delay_s` applies to every
    kind (a slow 503 is a real thing); `body` replaces the default body of the error kinds.
    `retry_after_s` may be fractional so tests stay fast (real servers send whole seconds).
    """

    model_config = ConfigDict(defer_build=True, frozen=True, extra="forbid")

    kind: FaultKind
    times: int | None = Field(default=1, ge=1)
    status: int | None = Field(default=None, ge=100, le=599)
    delay_s: float = Field(default=0.0, ge=0, le=600)
    retry_after_s: float | None = Field(default=None, ge=0)
    empty_body: bool = False
    body: str | None = None

    @property
    def effective_status(self) -> int | None:
        """The status answered (None for latency, which answers normally, and reset, which doesn't)."""
        if self.kind in (FaultKind.LATENCY, FaultKind.RESET):
            return None
        return self.status or _DEFAULT_STATUS[self.kind]
