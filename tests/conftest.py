"""Shared fixtures: a real sandbox on loopback, a Connection routed to it, and a private home dir.

Every test runs with `WEBENGAGE_DEBUGGER_HOME` in a temporary folder, so no test reads or writes the
real user's config, profiles or history; and with the real-credential env vars removed, so a
developer's own WebEngage key can never leak into a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tui.sandbox import (
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    Sandbox,
    SandboxAccount,
    SandboxConfig,
)
from tui.webengage.api import DataCentre
from tui.webengage.request import Connection

_REAL_ENV = (
    "WEBENGAGE_API_KEY",
    "WEBENGAGE_LICENSE_CODE",
    "WEBENGAGE_DATA_CENTRE",
    "WEBENGAGE_HOST",
    "WEBENGAGE_SANDBOX_API_KEY",
)


@pytest.fixture(autouse=True)
def _private_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh WEBENGAGE_DEBUGGER_HOME per test; credentials from the developer's shell removed."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("WEBENGAGE_DEBUGGER_HOME", str(home))
    for name in _REAL_ENV:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A started sandbox with the default account (DEMO_LICENSE_CODE / DEMO_API_KEY, Global)."""
    with Sandbox() as running:
        yield running


@pytest.fixture
def sandbox_connection(sandbox: Sandbox) -> Connection:
    """A Connection to the Global data centre with the demo credentials, routed to `sandbox`."""
    return demo_connection(sandbox)


def demo_connection(
    sandbox: Sandbox,
    *,
    data_centre: DataCentre | None = DataCentre.GLOBAL,
    license_code: str = DEMO_LICENSE_CODE,
    api_key: str = DEMO_API_KEY,
    custom_host: str | None = None,
) -> Connection:
    """A Connection routed to `sandbox` (the real Host header is kept, so data centres matter)."""
    return Connection(
        data_centre=data_centre,
        custom_host=custom_host,
        license_code=license_code,
        api_key=SecretStr(api_key),
        route_to=sandbox.url,
    )


MakeSandbox = Callable[..., Sandbox]


@pytest.fixture
def make_sandbox() -> Iterator[MakeSandbox]:
    """Build and start sandboxes with a custom config; all are stopped after the test.

    `make_sandbox(SandboxConfig(...))`, or keyword arguments for SandboxConfig:
    `make_sandbox(rate_limit=3, window_s=0.5)`, `make_sandbox(accounts=[...])`.
    """
    started: list[Sandbox] = []

    def make(config: SandboxConfig | None = None, **fields: Any) -> Sandbox:
        if config is None:
            if "accounts" in fields:
                fields["accounts"] = tuple(fields["accounts"])
            config = SandboxConfig(**fields)
        elif fields:
            config = config.model_copy(update=fields)
        running = Sandbox(config)
        running.start()
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()


def account(
    license_code: str, api_key: str, data_centre: DataCentre = DataCentre.GLOBAL, **extra: Any
) -> SandboxAccount:
    """A SandboxAccount from plain strings (test convenience)."""
    return SandboxAccount(
        license_code=license_code,
        api_key=SecretStr(api_key),
        data_centre=data_centre,
        **extra,
    )
