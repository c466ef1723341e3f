"""Fixtures for the app's Pilot tests: the app built by `create_app`, wired to a real sandbox."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from tui.sandbox import Sandbox
from tui.store.settings import AppSettings
from tui.ui.app import WebEngageDebuggerApp, create_app
from tui.webengage.client import RetryPolicy

NOW = datetime(2026, 6, 6, 18, 29, tzinfo=UTC)
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02, jitter_s=0)

MakeApp = Callable[..., WebEngageDebuggerApp]


@pytest.fixture(autouse=True)
def _utc() -> Iterator[None]:
    """Log times in UTC, so snapshots do not depend on the machine's time zone."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def make_app(sandbox: Sandbox) -> MakeApp:
    """`make_app(**create_app kwargs)`: the sandbox's demo account, fast retries, a fixed "now"."""

    def make(**kwargs: Any) -> WebEngageDebuggerApp:
        kwargs.setdefault("sandbox", sandbox)
        app = create_app(AppSettings(), **kwargs)
        app.service.retry = FAST_RETRY
        app.clock = lambda: NOW
        return app

    return make
