"""Hostile input through the real command line (issue 11): each gets one clear line and its exit code.

Over-long integers and lone surrogates are unreadable input (exit 2, located); a blueprint nested
10,000 deep is a blueprint error; `/dev/zero` stops at the size limit and a FIFO is read like a
pipe; a timeout of 0, -1 or nan, attempts out of 1..20 and a key holding a line break are exit 2
before anything is sent; `| head` is a quiet exit; escape sequences from a file or a server are
shown, never obeyed, and JSON output stays exact JSON.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from tests.test_preview_cli import ROOT, Run, run_subprocess
from tests.test_send_cli import WORKED, send
from tui.sandbox import DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.store.history import History
from tui.store.settings import AppSettings
from tui.webengage.api import Endpoint
from tui.webengage.request import Connection, build_request, json_text

DIGITS = "1" * 5000
INJECTED = "Order\x1b]52;c;SGVsbG8=\x07\x1b[2J\x1b]0;pwned\x07\u202egnp.exe\x85"
"""OSC 52 (writes the clipboard), ESC[2J (clears the screen), OSC 0 (retitles), RLO, a C1 control."""
RAW_CONTROLS = ("\x1b", "\x07", "\u202e", "\x85")


def one_line_error(run: Run | subprocess.CompletedProcess[str]) -> str:
    """The single line on stderr: no traceback, no second line."""
    stderr = run.stderr
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    many = [
        {"event": "Order Completed", "user_id": f"u{i}", "properties": {"n": i}}
        for i in range(2000)
    ]
    return {
        "huge-int": write(
            folder,
            "huge-int.json",
            '{"event": "A", "user_id": "u",\n "properties": {"n": ' + DIGITS + "}}",
        ),
        "huge-int-ndjson": write(
            folder,
            "huge-int.ndjson",
            '{"event": "A", "user_id": "u"}\n{"event": "B", "user_id": "u", "properties": {"n": -'
            + DIGITS
            + "}}\n",
        ),
        "surrogate": write(
            folder,
            "surrogate.json",
            '{"event": "A", "user_id": "u", "properties": {"s": "\\ud800"}}',
        ),
        "deep-arrays": write(
            folder,
            "deep-arrays.toml",
            'name = "x"\nevent_names = ' + "[" * 10_000 + "]" * 10_000 + "\n",
        ),
        "deep-tables": write(
            folder,
            "deep-tables.toml",
            'name = "x"\nx = ' + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n",
        ),
        "injection": write(
            folder, "injection.json", json.dumps({"event": INJECTED, "user_id": INJECTED})
        ),
        "many": write(folder, "many.json", json.dumps(many)),
    }


# ---- 1. an integer of more than 4,300 digits ----


def test_a_huge_integer_is_unreadable_input_at_its_line_and_column(files: dict[str, Path]) -> None:
    run = run_subprocess(files["huge-int"])
    assert run.code == 2
    assert one_line_error(run) == (
        f"webengage-debugger preview: {files['huge-int']}:2:22: "
        "a number with more than 4,300 digits (too long to read)"
    )
    ndjson = run_subprocess(files["huge-int-ndjson"])
    assert ndjson.code == 2 and f"{files['huge-int-ndjson']}:2:52: a number" in one_line_error(
        ndjson
    )


def test_send_refuses_a_huge_integer_before_sending(
    files: dict[str, Path], sandbox: Sandbox
) -> None:
    result = send(files["huge-int"], route_to=sandbox.url)
    assert result.returncode == 2
    assert "a number with more than 4,300 digits" in one_line_error(result)
    assert sandbox.accepted() == []


# ---- 2. a lone surrogate ----


def test_a_lone_surrogate_is_unreadable_input(files: dict[str, Path], sandbox: Sandbox) -> None:
    run = run_subprocess(files["surrogate"])
    assert run.code == 2
    assert one_line_error(run).endswith(
        f"{files['surrogate']}:1:53: a lone surrogate \\ud800 is not valid Unicode"
    )
    sent = send(files["surrogate"], route_to=sandbox.url)
    assert sent.returncode == 2, sent.stdout  # not 7, "check your network"
    assert "a lone surrogate \\ud800 is not valid Unicode" in one_line_error(sent)
    assert sandbox.accepted() == []


def test_a_body_with_anything_in_it_is_still_bytes() -> None:
    deep: list[Any] = []
    cursor = deep
    for _ in range(10_000):
        cursor.append([])
        cursor = cursor[0]
    body = {"s": "\ud800", "n": 10**5000 + 7, "deep": deep, "k": {1: {2, 3}}, "bidi": "\u202e\x85"}
    request = build_request(Connection(api_key=SecretStr("k")), Endpoint.EVENTS, body)
    text = request.body_bytes().decode("utf-8")
    assert '"s":"\\ud800"' in text and '"bidi":"\\u202e\\u0085"' in text
    assert '"n":1' + "0" * 4999 + "7," in text  # exact, though Python will not write it itself
    assert request.to_curl().encode("utf-8") and request.body_text(indent=2).encode("utf-8")
    assert json.loads(json_text({"name": INJECTED})) == {"name": INJECTED}


# ---- 3. a blueprint nested 10,000 deep ----


@pytest.mark.parametrize("name", ["deep-arrays", "deep-tables"])
def test_a_deeply_nested_blueprint_is_a_blueprint_error(files: dict[str, Path], name: str) -> None:
    run = run_subprocess(WORKED, "--blueprint", files[name])
    assert run.code == 2
    assert one_line_error(run) == (
        f"webengage-debugger preview: {files[name]}: nested too deeply to read (not a blueprint)"
    )


# ---- 4. /dev/zero, a FIFO, a file over the limit ----


def _limit_memory() -> None:  # so a reader without a limit fails here instead of eating the machine
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def test_dev_zero_stops_at_the_limit() -> None:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "tui", "preview", "/dev/zero"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=_limit_memory,
    )
    assert result.returncode == 2
    assert one_line_error(result) == (
        "webengage-debugger preview: /dev/zero: is larger than 64 MiB; "
        "use --max-bytes to raise the limit"
    )
    assert time.monotonic() - started < 20
    small = send("/dev/zero", "--max-bytes", "1k", in_process=True)
    assert small.returncode == 2
    assert "/dev/zero: is larger than 1,024 bytes; use --max-bytes" in one_line_error(small)


def test_max_bytes_limits_and_raises(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    properties = {f"note_{i}": "y" * 900 for i in range(3)}
    big.write_text(json.dumps({"event": "Signed Up", "user_id": "u", "properties": properties}))
    refused = run_subprocess(big, "--max-bytes", "2K")
    assert refused.code == 2
    assert one_line_error(refused).endswith(
        "big.json: is larger than 2,048 bytes; use --max-bytes to raise the limit"
    )
    assert run_subprocess(big, "--max-bytes", "4K").code == 0
    for bad in ("0", "-5", "lots"):
        wrong = run_subprocess(big, "--max-bytes", bad)
        assert (
            wrong.code == 2 and "argument --max-bytes: expected a number of bytes" in wrong.stderr
        )


def test_a_fifo_is_read_like_a_pipe(tmp_path: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with fifo.open("w") as pipe:  # blocks until the command opens it
            pipe.write(WORKED.read_text())

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    run = run_subprocess(fifo)
    thread.join(timeout=10)
    assert run.code == 0, run.stderr
    assert json.loads(run.stdout)["body"]["eventName"] == "Order Completed"


# ---- 5. timeouts, attempts and a key that cannot be sent ----


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf"])
def test_a_timeout_that_is_no_timeout_is_a_bad_argument(sandbox: Sandbox, value: str) -> None:
    sent = send(WORKED, "--timeout", value, route_to=sandbox.url, in_process=True)
    assert sent.returncode == 2
    assert (
        f"argument --timeout: expected a number of seconds above 0 and at most 3600, got '{value}'"
        in sent.stderr
    )
    probed = subprocess.run(
        [sys.executable, "-m", "tui", "diagnose", "--timeout", value],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "WEBENGAGE_ROUTE_TO": sandbox.url},
    )
    assert probed.returncode == 2 and "argument --timeout" in probed.stderr
    assert "Traceback" not in probed.stderr
    assert sandbox.accepted() == []


@pytest.mark.parametrize("value", ["0", "21", "-3", "many"])
def test_attempts_out_of_range_is_an_error_not_a_clamp(sandbox: Sandbox, value: str) -> None:
    sent = send(WORKED, "--attempts", value, route_to=sandbox.url, in_process=True)
    assert sent.returncode == 2
    assert (
        f"argument --attempts: expected a whole number from 1 to 20, got '{value}'" in sent.stderr
    )
    assert sandbox.accepted() == []


@pytest.mark.parametrize(
    ("key", "what"),
    [("we-key\nsecond-line", "a line break (character 7"), ("we key", "a space (character 3")],
)
def test_a_key_that_cannot_go_in_a_header_is_exit_2_before_sending(
    sandbox: Sandbox, key: str, what: str
) -> None:
    sent = send(WORKED, route_to=sandbox.url, key=key)
    assert sent.returncode == 2, sent.stdout  # not 7, "check your network"
    line = one_line_error(sent)
    assert f"the REST API key contains {what}" in line and key not in line
    assert sandbox.accepted() == []
    with History.open(AppSettings().history_path) as history:
        assert history.latest() == []
    probed = subprocess.run(
        [sys.executable, "-m", "tui", "diagnose"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={
            **os.environ,
            "WEBENGAGE_ROUTE_TO": sandbox.url,
            "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
            "WEBENGAGE_API_KEY": key,
        },
    )
    assert probed.returncode == 2 and f"contains {what}" in one_line_error(probed)


# ---- 6. `| head` ----


def _into_head(*args: str | Path) -> tuple[int, str, bytes]:
    """`webengage-debugger ARGS | head -1`: the command's exit code and stderr, and head's line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    env["WEBENGAGE_DEBUGGER_HOME"] = os.environ["WEBENGAGE_DEBUGGER_HOME"]
    command = subprocess.Popen(
        [sys.executable, "-m", "tui", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert command.stdout is not None
    head = subprocess.Popen(["head", "-1"], stdin=command.stdout, stdout=subprocess.PIPE)
    command.stdout.close()  # only head reads it now
    first, _ = head.communicate(timeout=60)
    _, stderr = command.communicate(timeout=60)
    return command.returncode, stderr.decode(), first


@pytest.mark.parametrize("args", [("preview",), ("send", "--dry-run")], ids=" ".join)
def test_a_reader_that_leaves_is_a_quiet_exit(
    files: dict[str, Path], args: tuple[str, ...]
) -> None:
    code, stderr, first = _into_head(*args, files["many"])
    assert first == b"[\n"
    assert stderr == ""
    assert code == 0


# ---- 7. escape sequences from a file or a server ----


def test_preview_shows_escapes_on_stderr_and_exact_json_on_stdout(files: dict[str, Path]) -> None:
    run = run_subprocess(files["injection"])
    assert run.code == 0, run.stderr
    for char in RAW_CONTROLS:
        assert char not in run.stdout and char not in run.stderr
    assert "\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J" in run.stderr and "\\u202e" in run.stderr
    printed = json.loads(run.stdout)
    assert printed["body"]["eventName"] == INJECTED and printed["body"]["userId"] == INJECTED


def test_send_shows_a_servers_escape_sequences_escaped(
    files: dict[str, Path], sandbox: Sandbox
) -> None:
    said = json.dumps({"response": {"status": "error", "message": f"bad {INJECTED}\nFix: run rm"}})
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, status=400, body=said, times=2))
    human = send(files["injection"], route_to=sandbox.url)
    assert human.returncode == 5, human.stdout + human.stderr
    for char in RAW_CONTROLS:
        assert char not in human.stdout and char not in human.stderr
    assert 'WebEngage said: "bad Order\\x1b]52;c;SGVsbG8=\\x07\\x1b[2J' in human.stdout
    assert "\\x0aFix: run rm" in human.stdout  # the server's line break cannot fake a line
    assert human.stdout.startswith("Order\\x1b]52;")  # the event name, escaped, as the label
    as_json = send(files["injection"], "--json", route_to=sandbox.url)
    for char in RAW_CONTROLS:
        assert char not in as_json.stdout
    summary = json.loads(as_json.stdout)
    assert summary["event"] == INJECTED and INJECTED in summary["hint"]["detail"]


def test_diagnose_shows_escapes(sandbox: Sandbox) -> None:
    probed = subprocess.run(
        [sys.executable, "-m", "tui", "diagnose", "--license", f"{DEMO_LICENSE_CODE}\x1b[2J\u202e"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        env={**os.environ, "WEBENGAGE_ROUTE_TO": sandbox.url, "WEBENGAGE_API_KEY": "we-key"},
    )
    assert "Traceback" not in probed.stderr
    for char in RAW_CONTROLS:
        assert char not in probed.stdout
    assert f"License code {DEMO_LICENSE_CODE}\\x1b[2J\\u202e" in probed.stdout


def test_dash_reads_standard_input_and_version_is_printed() -> None:
    """`preview -` and `send --dry-run -` read standard input (with the size limit);
    `--version` says which version this is."""
    import subprocess
    import sys

    from tui import __version__

    event = '{"type": "track", "event": "Order Completed", "user_id": "u1"}\n'
    for command in (["preview", "-"], ["send", "-", "--dry-run"]):
        done = subprocess.run(
            [sys.executable, "-m", "tui", *command],
            input=event,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        assert '"eventName": "Order Completed"' in done.stdout
    version = subprocess.run(
        [sys.executable, "-m", "tui", "--version"], capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and version.stdout.strip() == f"webengage-debugger {__version__}"
