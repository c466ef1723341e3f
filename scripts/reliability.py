"""The README's reliability table: hostile inputs tried against the real CLI, and what became of
them: crashes (a traceback, or an exit code outside the documented ones), leaks (the REST API key,
a canary, found in any output or written file) and entries lost (a send that left no history).

Run: `python scripts/reliability.py` (about a minute; starts its own sandbox on loopback).
Prints a Markdown table; exit 1 when anything crashed, leaked or was lost.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.sandbox import Sandbox, SandboxConfig  # noqa: E402
from tui.sandbox.models import SandboxAccount  # noqa: E402
from tui.webengage.api import DataCentre  # noqa: E402

CANARY = "RELIABILITY-" + secrets.token_hex(12)
LICENSE = "sbx~rel"
DOCUMENTED = {"preview": {0, 1, 2}, "send": set(range(10))}


@dataclass
class Case:
    name: str
    command: str  # preview | send
    make: Callable[[Path], str]  # writes the input, returns the FILE argument
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()


def _file(name: str, text: str | bytes) -> Callable[[Path], str]:
    def make(folder: Path) -> str:
        path = folder / name
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        return str(path)

    return make


def _fifo(folder: Path) -> str:
    path = folder / "fifo"
    os.mkfifo(path)
    writer = subprocess.Popen(["sh", "-c", f'printf \'{{"type":"track"\' > {path}'])
    del writer  # it writes half an object and exits; the reader must not hang
    return str(path)


EVENT = '{"type":"track","event":"%s","user_id":"%s","properties":%s}'
CASES = [
    Case("malformed JSON", "preview", _file("bad.json", '{"type": "track", "event": ')),
    Case("empty file", "preview", _file("empty.json", "")),
    Case("NUL bytes", "preview", _file("nul.json", b'{"type":"track\x00"}')),
    Case("not UTF-8", "preview", _file("latin1.json", b'{"event":"caf\xe9"}')),
    Case(
        "a 5,000-digit number",
        "preview",
        _file("big.json", EVENT % ("E", "u", '{"n": ' + "9" * 5000 + "}")),
    ),
    Case("a lone surrogate", "preview", _file("sur.json", EVENT % ("E", "u\\ud800", "{}"))),
    Case("a lone surrogate, sent", "send", _file("sur2.json", EVENT % ("E", "u\\ud800", "{}"))),
    Case("nesting 100,000 deep", "preview", _file("deep.json", "[" * 100_000 + "]" * 100_000)),
    Case(
        "10 MB string",
        "preview",
        _file("huge.json", EVENT % ("E", "u", json.dumps({"s": "x" * 10_000_000}))),
    ),
    Case(
        "escape sequences in names",
        "send",
        _file("esc.json", EVENT % ("\\u001b]52;c;ZXZpbA==\\u0007", "\\u001b[2J\\u202e", "{}")),
    ),
    Case(
        "wrong types",
        "send",
        _file("types.json", '{"type":"track","event":42,"user_id":["a"],"properties":"x"}'),
    ),
    Case("missing identity", "send", _file("noid.json", '{"type":"track","event":"E"}')),
    Case("/dev/zero as FILE", "preview", lambda _folder: "/dev/zero"),
    Case("a FIFO that half-writes", "preview", _fifo),
    Case("--timeout nan", "send", _file("ok.json", EVENT % ("E", "u", "{}")), ("--timeout", "nan")),
    Case("--attempts 0", "send", _file("ok2.json", EVENT % ("E", "u", "{}")), ("--attempts", "0")),
    Case(
        "a key with a space inside",
        "send",
        _file("ok3.json", EVENT % ("E", "u", "{}")),
        (),
        (("WEBENGAGE_API_KEY", CANARY[:9] + " " + CANARY[9:]),),
    ),
    Case(
        "a key with a newline inside",
        "send",
        _file("ok6.json", EVENT % ("E", "u", "{}")),
        (),
        (("WEBENGAGE_API_KEY", CANARY[:9] + "\n" + CANARY[9:]),),
    ),
    Case(
        "unreachable host",
        "send",
        _file("ok4.json", EVENT % ("E", "u", "{}")),
        ("--attempts", "1"),
        (("WEBENGAGE_ROUTE_TO", "http://127.0.0.1:9"),),
    ),
    Case(
        "blueprint nested 10,000 deep",
        "preview",
        _file("ok5.json", EVENT % ("E", "u", "{}")),
        ("--blueprint", "DEEP"),
    ),
]


def _deep_blueprint(folder: Path) -> str:
    path = folder / "deep.toml"
    path.write_text("a = " + "[" * 10_000 + "]" * 10_000 + "\n")
    return str(path)


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="wed-reliability-"))
    account = SandboxAccount(license_code=LICENSE, api_key=CANARY, data_centre=DataCentre.GLOBAL)
    rows, bad = [], 0
    with Sandbox(SandboxConfig(accounts=(account,))) as sandbox:
        for case in CASES:
            home = work / case.name.replace(" ", "-").replace("/", "")
            home.mkdir()
            target = case.make(home)
            args = [a if a != "DEEP" else _deep_blueprint(home) for a in case.args]
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "WEBENGAGE_DEBUGGER_HOME": str(home / "state"),
                "WEBENGAGE_API_KEY": CANARY,
                "WEBENGAGE_LICENSE_CODE": LICENSE,
                "WEBENGAGE_ROUTE_TO": sandbox.url,
                **dict(case.env),
            }
            try:
                done = subprocess.run(
                    [sys.executable, "-m", "tui", case.command, target, *args],
                    env=env,
                    capture_output=True,
                    timeout=120,
                    cwd=ROOT,
                )
                code, out = done.returncode, done.stdout + done.stderr
            except subprocess.TimeoutExpired:
                code, out = None, b"(timed out)"
            crashed = code is None or code not in DOCUMENTED[case.command] or b"Traceback" in out
            written = b"".join(p.read_bytes() for p in (home / "state").rglob("*") if p.is_file())
            leaked = CANARY.encode() in out or CANARY.encode() in written
            lost = 0
            if case.command == "send" and code in (0, 3, 4, 5, 6, 7, 8, 9):
                db = home / "state" / "data" / "history.sqlite3"
                stored = (
                    sqlite3.connect(db).execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
                    if db.exists()
                    else 0
                )
                lost = 0 if stored else 1
            bad += crashed or leaked or bool(lost)
            text = out.decode("utf-8", "replace").replace(str(home), "…")
            message = text.strip().splitlines()[-1:] or [""]
            rows.append((case.name, case.command, code, crashed, leaked, lost, message[0][:90]))
    print("| hostile input | command | exit | crash | leak | entries lost | what it said |")
    print("|---|---|---|---|---|---|---|")
    for name, command, code, crashed, leaked, lost, said in rows:
        said = said.replace("|", "\\|")
        print(
            f"| {name} | {command} | {code} | {'**yes**' if crashed else 'no'} | "
            f"{'**yes**' if leaked else 'no'} | {lost} | {said} |"
        )
    print(
        f"\n{len(rows)} hostile inputs: {sum(r[3] for r in rows)} crashes, "
        f"{sum(r[4] for r in rows)} leaks, {sum(r[5] for r in rows)} entries lost."
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
