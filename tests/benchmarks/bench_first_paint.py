"""First paint in a real terminal (PRODUCT.md §8): ours vs a bare Textual app vs Posting.

Run: `python tests/benchmarks/bench_first_paint.py [--runs 10]`.

Each trial opens a tmux pane (120×36) holding a shell that waits for Enter; the clock starts as
Enter is sent, which `exec`s the app, and stops when `tmux capture-pane` first shows a string of
the app's screen (polled every ~5 ms). The apps are measured alternately in one run, so a busy
moment on the machine hurts them alike. Targets: ours ≤ 1.6× the bare app, ≤ ½ of Posting.

`--phases` says what the first paint is made of, from inside the process. Each trial runs, in the
same kind of pane, a probe: a small script that imports what the first screen needs in a fixed
order, marking the clock after each group, then runs `webengage-debugger --sandbox` as the CLI does
and marks the first frame written to the terminal that shows the marker (the driver's `write` is
wrapped in the probe, never in the app). The bare app runs the same way, alternated with it.
Phases, each since the last mark:

- `textual`: `import textual.app` (both apps pay it);
- `widgets`: the Textual widgets our first screen uses, tree-sitter's JSON grammar included;
- `pydantic`: pydantic, pydantic-settings and the first model (the settings), all needed as
  soon as the settings are read;
- `ours`: the rest of `tui.ui.app` (our modules, the domain's models among them);
- `settings+app`: reading the settings, opening the history, creating the app;
- `frame`: from there to the first frame (compose, styles, layout, the frame written).

It ends with the floor: what the screen would cost with no pydantic and no module of ours to import.
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

    @classmethod
    def started(cls) -> Tmux:
        """A server with a session that lives for the whole run: otherwise the server exits with
        each trial's last session and the next trial can race its shutdown."""
        tmux = cls()
        tmux.run("new-session", "-d", "-s", "keeper", "sh", "-c", "sleep 86400")
        return tmux

    def pane(self, script: str, env: dict[str, str], cwd: str) -> str:
        """A new session (WIDTH×HEIGHT) running `script` in `sh` with `env`: its name."""
        session = f"t{time.monotonic_ns()}"
        env_args = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
        self.run(
            "new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT), "-c", cwd,
            *env_args, "sh", "-c", script,
        )  # fmt: skip
        return session

    def kill_server(self) -> None:
        self.run("kill-server")


def bench_env(work: Path) -> dict[str, str]:
    """The panes' environment: a fresh home and config for ours, a colour terminal."""
    return {
        "WEBENGAGE_DEBUGGER_HOME": str(work / "home"),
        "XDG_CONFIG_HOME": str(work / "xdg-config"),
        "XDG_DATA_HOME": str(work / "xdg-data"),
        "TERM": "xterm-256color",
        "COLORTERM": "truecolor",
        # An installed package has its bytecode (pip compiles it; a first run writes it): let the
        # warm-up write ours, as Textual's already is, even if this shell sets the variable.
        "PYTHONDONTWRITEBYTECODE": "",
    }


def measure(tmux: Tmux, contender: Contender, env: dict[str, str], cwd: str) -> float | None:
    """One cold start: milliseconds from Enter to the marker on screen, or None on timeout."""
    ready = "BENCH-READY"
    session = tmux.pane(f"echo {ready}; read _; exec {shlex.join(contender.command)}", env, cwd)
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


PHASES = ("textual", "widgets", "pydantic", "ours", "settings+app", "frame")
BARE_PHASES = ("textual", "frame")

# Marks are written as "name=ms" (each since the last mark) on the first frame with the marker.
PROBE_HEAD = textwrap.dedent(
    """
    import os, sys, time
    T0 = time.perf_counter()
    MARKS = []
    def mark(name):
        MARKS.append((name, time.perf_counter()))
    def on_frame(marker):
        from textual.drivers import linux_driver
        write = linux_driver.LinuxDriver.write
        def probe(self, data):
            write(self, data)
            if marker in data:
                mark("frame")
                last, parts = T0, []
                for name, at in MARKS:
                    parts.append(f"{name}={1000 * (at - last):.1f}")
                    last = at
                with open(sys.argv[1], "w") as out:
                    out.write(" ".join(parts) + "\\n")
                os._exit(0)
        linux_driver.LinuxDriver.write = probe
    """
)

OURS_PROBE = PROBE_HEAD + textwrap.dedent(
    f"""
    import argparse
    from tui.ui.startup import pause_gc
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")  # as the CLI does
    pause_gc()  # as the CLI does
    import textual.app
    mark("textual")
    from textual.widgets import Button, Footer, Input, Label, Select, Static, Tab, Tabs, TextArea
    import textual.containers, textual.lazy, textual.scroll_view, tree_sitter, tree_sitter_json
    mark("widgets")
    import pydantic_settings
    import tui.store.settings  # the settings: pydantic's first model
    mark("pydantic")
    import tui.ui.app
    import tui.cli.tui
    mark("ours")
    create_app = tui.ui.app.create_app
    def created(*args, **kwargs):
        app = create_app(*args, **kwargs)
        mark("settings+app")
        return app
    tui.ui.app.create_app = created
    on_frame({OURS_MARKER!r})
    tui.cli.tui.run(argparse.Namespace(sandbox=True, listen=None, relay=None))
    """
)

BARE_PROBE = (
    PROBE_HEAD + f'import textual.app\nmark("textual")\non_frame({BARE_MARKER!r})\n' + BARE_APP
)


def trial(tmux: Tmux, probe: Path, env: dict[str, str], cwd: str) -> dict[str, float] | None:
    """One cold start of `probe` in a fresh pane: its marks, or None if it never painted."""
    out = Path(cwd) / f"marks-{time.monotonic_ns()}.txt"
    session = tmux.pane(shlex.join([sys.executable, str(probe), str(out)]), env, cwd)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if out.exists() and out.stat().st_size:
                text = out.read_text().split()
                return {name: float(ms) for name, ms in (part.split("=") for part in text)}
            time.sleep(0.01)
        return None
    finally:
        tmux.run("kill-session", "-t", session)
        out.unlink(missing_ok=True)


def medians(runs: list[dict[str, float]], phases: tuple[str, ...]) -> dict[str, float]:
    return {phase: statistics.median(run[phase] for run in runs) for phase in phases}


def run_phases(runs: int) -> int:
    """`--phases`: each phase's median for ours and the bare app, then the floor."""
    work = Path(tempfile.mkdtemp(prefix="wed-phases-"))
    ours_probe, bare_probe = work / "ours_probe.py", work / "bare_probe.py"
    ours_probe.write_text(OURS_PROBE)
    bare_probe.write_text(BARE_PROBE)
    env = bench_env(work) | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    ours: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    tmux = Tmux.started()
    try:
        trial(tmux, ours_probe, env, str(work))  # warm-up: bytecode, page cache
        trial(tmux, bare_probe, env, str(work))
        for _ in range(runs):
            for probe, marks in ((ours_probe, ours), (bare_probe, bare)):
                found = trial(tmux, probe, env, str(work))
                if found is not None:
                    marks.append(found)
    finally:
        tmux.kill_server()
        shutil.rmtree(work, ignore_errors=True)
    if not ours or not bare:
        print("a probe never painted", file=sys.stderr)
        return 1
    print(f"First paint, phase by phase, in-process (tmux {WIDTH}x{HEIGHT}); medians of")
    print(f"{len(ours)} / {len(bare)} cold starts, alternated; ms since the previous mark")
    print(
        f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]},"
        f" load average {os.getloadavg()[0]:.2f} at the end"
    )
    ours_ms, bare_ms = medians(ours, PHASES), medians(bare, BARE_PHASES)
    for phase in PHASES:
        print(f"  {phase:<14} ours {ours_ms[phase]:6.1f}   bare {bare_ms.get(phase, 0.0):6.1f}")
    ours_total = statistics.median(sum(run.values()) for run in ours)
    bare_total = statistics.median(sum(run.values()) for run in bare)
    print(f"  {'total':<14} ours {ours_total:6.1f}   bare {bare_total:6.1f}")
    floor = ours_total - ours_ms["pydantic"] - ours_ms["ours"]
    print(
        f"ours / bare = {ours_total / bare_total:.2f}x in-process; with no pydantic and no module"
        f" of ours to import: {floor:.0f} ms, {floor / bare_total:.2f}x"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per app (default 10)")
    parser.add_argument("--no-posting", action="store_true", help="skip the Posting comparison")
    parser.add_argument("--marker", default=OURS_MARKER, help="text that proves our TUI painted")
    parser.add_argument("--phases", action="store_true", help="where the time goes, in-process")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        print("tmux is not installed (apt-get install tmux)", file=sys.stderr)
        return 2
    if args.phases:
        return run_phases(args.runs)

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

    env = bench_env(work)
    tmux = Tmux.started()
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
