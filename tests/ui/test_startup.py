"""Each start-up trick of tui/ui/startup.py is still in effect (its correctness is proved in
test_first_paint.py: the tricks must not change what is shown)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from textual.events import ScreenResume
from textual.screen import Screen

from tui.ui import startup

from .conftest import MakeApp


def test_only_the_first_showing_skips_the_restyle() -> None:
    screen: Screen[None] = Screen()
    calls: list[object] = []

    def later_call(callback: object, *args: object, **kwargs: object) -> bool:
        calls.append(callback)
        return True

    screen.call_after_refresh = later_call  # type: ignore[method-assign]
    first, later = ScreenResume(), ScreenResume()
    startup.first_resume(screen, first)
    startup.first_resume(screen, later)
    assert first.refresh_styles is False and calls == [startup.resume_gc]
    assert later.refresh_styles is True and len(calls) == 1


async def test_the_main_screen_uses_first_resume(make_app: MakeApp) -> None:
    seen: list[bool] = []
    original = startup.first_resume

    def spy(screen: Screen[object], event: ScreenResume) -> None:
        original(screen, event)
        seen.append(event.refresh_styles)

    startup.first_resume = spy
    try:
        app = make_app()
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
    finally:
        startup.first_resume = original
    assert seen and seen[0] is False


def test_the_first_screen_loads_neither_the_http_client_nor_the_sandbox() -> None:
    """httpx and pyrate-limiter (first send), aiohttp (the sandbox), pygments (the entry detail)
    json5 (a pasted Datafly.js call) and ijson (a JSON array file) load later."""
    code = textwrap.dedent(
        """
        import asyncio, sys
        from tui.store.settings import AppSettings
        from tui.ui.app import create_app
        from tui.webengage.request import Connection

        async def main():
            app = create_app(AppSettings(), connection=Connection())
            async with app.run_test(size=(120, 36)) as pilot:
                await pilot.pause()
        asyncio.run(main())
        print(",".join(m for m in ("httpx", "pyrate_limiter", "aiohttp", "pygments", "json5", "ijson")
                       if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip().splitlines()[-1:] in ([], [""]), result.stdout
