"""Copied is claimed only when a clipboard took it; otherwise the text goes to a file whose path
is shown (and OSC 52 is offered, unconfirmed)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tui.store.settings import AppSettings

from .conftest import MakeApp
from .helpers import send_and_wait, wait_until


def messages(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


async def test_without_a_clipboard_the_curl_goes_to_a_file(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")  # no clipboard tool at all
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_wait(app, pilot)
        app.action_copy_curl()
        await wait_until(pilot, lambda: any("No clipboard answered" in m for m in messages(app)))
    assert not any("copied to the clipboard" in m for m in messages(app))
    saved = sorted(AppSettings().exports_dir.glob("curl-*.sh"))
    assert len(saved) == 1 and str(saved[0]) in " ".join(messages(app))
    assert "curl -sS -X POST" in saved[0].read_text()
    assert stat.S_IMODE(saved[0].stat().st_mode) == 0o600


async def test_a_clipboard_that_takes_it_is_said_to(
    make_app: MakeApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    took = tmp_path / "clipboard.txt"
    tool = tmp_path / "bin" / "xclip"
    tool.parent.mkdir()
    tool.write_text(f"#!/bin/sh\ncat > {took}\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tool.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await send_and_wait(app, pilot)
        app.action_copy_curl()
        await wait_until(pilot, lambda: any("copied to the clipboard" in m for m in messages(app)))
    assert "curl -sS -X POST" in took.read_text()
    assert not list(AppSettings().exports_dir.glob("curl-*.sh"))
