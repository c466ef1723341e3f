"""One recorder for every delivery: the history and the type memory, written off the caller's thread.

Each delivery is written as it starts (so a crash leaves an *interrupted* entry rather than
nothing), as each attempt starts and ends (without waiting, so the entry shows what was under way),
and as it ends, when an accepted one also teaches the type memory its attribute types.
The writes run in one thread of their own, in order, so neither the TUI's event loop nor a paced
replay waits on the disk; a broken database is reported through `on_error`, never raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from tui.store.history import History
from tui.store.typelock import TypeLock
from tui.webengage.entry import LogEntry
from tui.webengage.types import KnownTypes

T = TypeVar("T")
OnError = Callable[[str], None]


class Recorder:
    """Writes deliveries to `history` (None: records nothing) and keeps the type memory cached."""

    def __init__(
        self, history: History | None, *, on_error: OnError | None = None, owns: bool = False
    ) -> None:
        self.history = history
        self._owns = owns
        self.on_error = on_error
        self._lock = TypeLock(history) if history is not None else None
        self._types: dict[str, KnownTypes] = {}
        self._writer: ThreadPoolExecutor | None = None

    @classmethod
    def open(cls, path: Path, *, on_error: OnError | None = None) -> Recorder:
        """The recorder for the history file at `path`; one that records nothing if it cannot open."""
        try:
            return cls(History.open(path), on_error=on_error, owns=True)
        except Exception as error:  # a broken database must not stop a send
            if on_error is not None:
                on_error(f"history not written ({error})")
            return cls(None, on_error=on_error)

    def known_types(self, license_code: str) -> KnownTypes | None:
        """The attribute types earlier accepted deliveries fixed for this account, per event name
        and for user attributes (cached: the preview asks on every keystroke). None: none known."""
        if self._lock is None or not license_code:
            return None
        if license_code not in self._types:
            try:
                self._types[license_code] = self._lock.known_types(license_code)
            except Exception:  # an unreadable type table: the warning it feeds is a nicety
                self._types[license_code] = KnownTypes()
        known = self._types[license_code]
        return None if known.empty else known

    async def started(self, entry: LogEntry) -> None:
        """Record a delivery before its first byte goes out."""
        if self.history is not None:
            await self._in_writer(self._write, entry)

    def note(self, entry: LogEntry) -> None:
        """Record a delivery's progress (an attempt started or ended) without waiting for the
        disk: after a crash the history shows the attempts that were under way."""
        if self.history is None:
            return
        loop = asyncio.get_running_loop()
        future = self._pool().submit(self._write, entry)

        def done(_: object) -> None:
            error = future.exception()
            if error is not None and self.on_error is not None:
                loop.call_soon_threadsafe(self.on_error, f"history not saved: {error}")

        future.add_done_callback(done)

    async def finished(self, entry: LogEntry) -> bool:
        """Record how a delivery ended; True when it taught the type memory something new."""
        if self.history is None:
            return False
        learned = await self._in_writer(self._finish, entry)
        if learned:
            self._types.pop(entry.license_code, None)
        return bool(learned)

    def _write(self, entry: LogEntry) -> bool:
        assert self.history is not None
        self.history.update(entry)
        return False

    def _finish(self, entry: LogEntry) -> bool:
        self._write(entry)
        return bool(self._lock.record_entry(entry)) if self._lock and entry.outcome else False

    def _pool(self) -> ThreadPoolExecutor:
        """One writer thread: the writes of a delivery land in the order they were made."""
        if self._writer is None:
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-writer")
        return self._writer

    async def _in_writer(self, job: Callable[[LogEntry], bool], entry: LogEntry) -> bool:
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool(), job, entry)
        except Exception as error:  # a full disk must not stop the debugging
            if self.on_error is not None:
                self.on_error(f"history not saved: {error}")
            return False

    def close(self) -> None:
        """Finish pending writes (and close the history, if `open` opened it)."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None
        if self.history is not None and self._owns:
            self.history.close()
