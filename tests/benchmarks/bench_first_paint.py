"""First paint in a real terminal (PRODUCT.md §8): ours vs a bare Textual app vs Posting.

Run: `python tests/benchmarks/bench_first_paint.py [--runs 10]`.

Each trial opens a tmux pane (120×36) holding a shell that waits for Enter; the clock starts as
Enter is sent, which `exec`s the app, and stops when `tmux capture-pane` first shows a string of
the app's screen (polled every ~5 ms). The apps are measured alternately in one run, so a busy
moment on the machine hurts them alike. Targets: ours ≤ 1.6× the bare app, ≤ ½ of Posting.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

WIDTH, HEIGHT = 120, 36
POLL_S = 0.005
TIMEOUT_S = 30.0
# Text the TUI's first screen shows once it is painted: the empty delivery log's line.
OURS_MARKER = "Nothing sent yet"
BARE_MARKER = "Bare Textual app ready"
POSTING_MARKER = "Collection"
POSTING_VENV = Path(tempfile.gettempdir()) / "posting-venv"

BARE_APP = textwrap.dedent(
    f'''
    """The baseline: the least a Textual app with a header and a footer paints."""
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static


    class Bare(App[None]):
        BINDINGS = [("q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static({BARE_MARKER!r})
            yield Footer()


    Bare().run()
    '''
)


@dataclass
class Contender:
    name: str
    command: list[str]
    marker: str
    times_ms: list[float] = field(default_factory=list)
    failures: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


class Tmux:
    """A private tmux server (its own socket) so the benchmark never touches the user's sessions."""

    def __init__(self) -> None:
        self.socket = f"wed-bench-{os.getpid()}"

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def kill_server(self) -> None:
        self.run("kill-server")


def measure(tmux: Tmux, contender: Contender, env: dict[str, str], cwd: str) -> float | None:
    """One cold start: milliseconds from Enter to the marker on screen, or None on timeout."""
    session = f"t{time.monotonic_ns()}"
    ready = "BENCH-READY"
    script = f"echo {ready}; read _; exec {shlex.join(contender.command)}"
    env_args = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
    tmux.run(
        "new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", cwd,
        *env_args, "sh", "-c", script,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while ready not in tmux.run("capture-pane", "-p", "-t", session):
            if time.monotonic() > deadline:
                print(f"  ({contender.name}: the pane's shell never got ready)", file=sys.stderr)
                return None
            time.sleep(POLL_S)
        start = time.perf_counter()
        tmux.run("send-keys", "-t", session, "Enter")
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            if contender.marker in tmux.run("capture-pane", "-p", "-t", session):
                return (time.perf_counter() - start) * 1000
            time.sleep(POLL_S)
        screen = tmux.run("capture-pane", "-p", "-t", session).strip()[-400:]
        print(
            f"  ({contender.name}: no {contender.marker!r} after {TIMEOUT_S:.0f} s; screen: {screen!r})",
            file=sys.stderr,
        )
        return None
    finally:
        tmux.run("kill-session", "-t", session)


def posting_command() -> tuple[list[str] | None, str]:
    """Posting from a venv under /tmp (never the project's), installed on first use if possible."""
    binary = POSTING_VENV / "bin" / "posting"
    if not binary.exists():
        try:
            subprocess.run(
                [sys.executable, "-m", "venv", str(POSTING_VENV)], check=True, capture_output=True
            )
            subprocess.run(
                # tree-sitter 0.26.1 segfaults under Textual's TextArea (as it does for us).
                [
                    str(POSTING_VENV / "bin" / "pip"),
                    "install",
                    "-q",
                    "posting",
                    "tree-sitter==0.25.2",
                ],
                check=True,
                capture_output=True,
                timeout=600,
            )
        except (subprocess.SubprocessError, OSError) as error:
            return None, f"Posting could not be installed into {POSTING_VENV}: {error}"
    version = subprocess.run(
        [str(POSTING_VENV / "bin" / "pip"), "show", "posting"], capture_output=True, text=True
    ).stdout
    line = next((x for x in version.splitlines() if x.startswith("Version:")), "Version: ?")
    return [str(binary)], f"Posting {line.split(':', 1)[1].strip()} from {POSTING_VENV}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per app (default 10)")
    parser.add_argument("--no-posting", action="store_true", help="skip the Posting comparison")
    parser.add_argument("--marker", default=OURS_MARKER, help="text that proves our TUI painted")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed (apt-get install tmux)", file=sys.stderr)
        return 2

    work = Path(tempfile.mkdtemp(prefix="wed-first-paint-"))
    bare_path = work / "bare_app.py"
    bare_path.write_text(BARE_APP)
    script = Path(sys.executable).with_name("webengage-debugger")
    ours_command = [str(script)] if script.exists() else [sys.executable, "-m", "tui"]
    contenders = [
        Contender("webengage-debugger --sandbox", [*ours_command, "--sandbox"], args.marker),
        Contender("bare Textual app", [sys.executable, str(bare_path)], BARE_MARKER),
    ]
    posting_note = "Posting: skipped (--no-posting)"
    if not args.no_posting:
        command, posting_note = posting_command()
        if command is not None:
            contenders.append(Contender("Posting", command, POSTING_MARKER))

    env = {
        "WEBENGAGE_DEBUGGER_HOME": str(work / "home"),
        "XDG_CONFIG_HOME": str(work / "xdg-config"),
        "XDG_DATA_HOME": str(work / "xdg-data"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        # An installed package has its bytecode (pip compiles it; a first run writes it): let the
        # warm-up write ours, as Textual's already is, even if this shell sets the variable.
        "PYTHONDONTWRITEBYTECODE": "",
    }
    tmux = Tmux()
    # A session that lives for the whole run: otherwise the server exits with each trial's last
    # session and the next trial can race its shutdown.
    tmux.run("new-session", "-d", "-s", "keeper", "sh", "-c", "sleep 86400")
    try:
        for contender in contenders:  # one warm-up each: byte-compile, fill the page cache
            measure(tmux, contender, env, str(work))
        for _ in range(args.runs):
            for contender in contenders:
                elapsed = measure(tmux, contender, env, str(work))
                if elapsed is None:
                    contender.failures += 1
                else:
                    contender.times_ms.append(elapsed)
    finally:
        tmux.kill_server()
        shutil.rmtree(work, ignore_errors=True)

    print(f"First paint in tmux {WIDTH}x{HEIGHT}, {args.runs} cold starts each, alternated")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]},"
        f" load average {os.getloadavg()[0]:.2f} at the end"
    )
    print(posting_note)
    for contender in contenders:
        if not contender.times_ms:
            print(
                f"  {contender.name:30} never showed {contender.marker!r} within {TIMEOUT_S:.0f} s"
            )
            continue
        times = sorted(contender.times_ms)
        print(
            f"  {contender.name:30} median {contender.median:7.1f} ms"
            f"  min {times[0]:7.1f}  max {times[-1]:7.1f}"
            + (f"  ({contender.failures} timed out)" if contender.failures else "")
        )
    ours, bare = contenders[0], contenders[1]
    if not (ours.times_ms and bare.times_ms):
        return 1
    ratio = ours.median / bare.median
    verdict = "PASS" if ratio <= 1.6 else "FAIL"
    print(f"ours / bare    = {ratio:.2f}x  (target <= 1.6x)  {verdict}")
    if len(contenders) > 2 and contenders[2].times_ms:
        posting_ratio = ours.median / contenders[2].median
        verdict = "PASS" if posting_ratio <= 0.5 else "FAIL"
        print(f"ours / Posting = {posting_ratio:.2f}x  (target <= 0.5x)  {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
