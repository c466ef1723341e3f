"""`webengage-debugger preview` (PRODUCT.md §6).

The worked example, the bad fixtures and the malformed file run the real command in subprocesses
(concurrently, once per module, to keep the suite fast); the rest call the same `main()` in-process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import pytest

from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
BAD = sorted(p for p in (FIXTURES / "bad").glob("*.json") if p.name != "malformed.json")
WARN = sorted((FIXTURES / "warn").glob("*.json"))
GOOD = sorted((FIXTURES / "events").glob("*.json")) + sorted(
    (FIXTURES / "transform").glob("*.json")
)
KEY = "we-test-key-0123456789abcdef"

# The path each bad fixture's error must name (a Signal JSON path, or $ for a non-object).
BAD_PATHS = {
    "duplicate-attribute.json": "$.properties.",
    "long-event-name.json": "$.event",
    "long-string.json": "$.properties.gift_message",
    "long-user-id.json": "$.user_id",
    "nan-value.json": "$.properties.revenue",
    "nested-collision.json": "$.properties.shipping",
    "no-identity.json": "$.user_id",
    "not-an-object.json": "$",
    "too-many-numbers.json": "$.properties",
    "unparseable-timestamp.json": "$.timestamp",
    "we-property.json": "$.properties.we_source",
    "wrong-types.json": "$.event",
}


class Run(NamedTuple):
    code: int
    stdout: str
    stderr: str


def run_subprocess(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    base = {k: v for k, v in os.environ.items() if not k.startswith("WEBENGAGE_")}
    base["WEBENGAGE_DEBUGGER_HOME"] = os.environ.get("WEBENGAGE_DEBUGGER_HOME", "/nonexistent")
    result = subprocess.run(
        [sys.executable, "-m", "tui", "preview", *map(str, args)],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=ROOT,
        timeout=60,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def runs() -> dict[Path, Run]:
    files = [FIXTURES / "worked-example.json", FIXTURES / "bad" / "malformed.json", *BAD]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(files, pool.map(run_subprocess, files), strict=True))


def test_every_bad_fixture_is_covered() -> None:
    assert sorted(p.name for p in BAD) == sorted(BAD_PATHS)


def test_worked_example_prints_exactly_the_spec_body(runs: dict[Path, Run]) -> None:
    run = runs[FIXTURES / "worked-example.json"]
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    printed = json.loads(run.stdout)
    assert set(printed) == {"method", "url", "headers", "body"}
    assert printed["method"] == "POST"
    assert printed["body"] == json.loads((FIXTURES / "worked-example.expected.json").read_text())
    assert printed["url"] == "https://api.webengage.com/v1/accounts/(no license code)/events"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_fixture_exits_1_naming_the_path(runs: dict[Path, Run], path: Path) -> None:
    run = runs[path]
    assert run.code == 1, run.stderr
    errors = [line for line in run.stderr.splitlines() if "error" in line.split("$")[0]]
    assert errors, run.stderr
    assert any(f" {BAD_PATHS[path.name]}" in line for line in errors), run.stderr
    assert "Traceback" not in run.stderr
    json.loads(run.stdout.replace("NaN", "null").replace("Infinity", "null"))


@pytest.fixture
def run_cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Run]:
    """The CLI's `main()` in this process, with WEBENGAGE_* taken from `env` only."""

    def run(*args: str | Path, env: dict[str, str] | None = None) -> Run:
        for name in list(os.environ):
            if name.startswith("WEBENGAGE_") and name != "WEBENGAGE_DEBUGGER_HOME":
                monkeypatch.delenv(name)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.chdir(ROOT)
        capsys.readouterr()
        code = main(["preview", *map(str, args)])
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


@pytest.mark.parametrize("path", WARN, ids=lambda p: p.name)
def test_warning_fixture_exits_0_with_warnings(run_cli: Callable[..., Run], path: Path) -> None:
    run = run_cli(path)
    assert run.code == 0, run.stderr
    lines = run.stderr.splitlines()
    assert lines and all(line.startswith("warning") for line in lines), run.stderr


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_fixture_exits_0(run_cli: Callable[..., Run], path: Path) -> None:
    run = run_cli(path)
    assert run.code == 0, run.stderr
    assert "error" not in run.stderr
    assert json.loads(run.stdout)["method"] == "POST"


def test_malformed_json_is_one_line_with_position(runs: dict[Path, Run]) -> None:
    run = runs[FIXTURES / "bad" / "malformed.json"]
    assert run.code == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert (
        f"{Path('fixtures/bad/malformed.json').resolve()}:4:3:" in lines[0]
        or "malformed.json:4:3:" in lines[0]
    )


def test_several_events_print_an_array_and_prefix_findings(run_cli: Callable[..., Run]) -> None:
    run = run_cli(FIXTURES / "several.ndjson")
    assert run.code == 0
    printed = json.loads(run.stdout)
    assert [p["body"]["eventName"] for p in printed] == [
        "Page Viewed",
        "Product Viewed",
        "Added to Cart",
        "Order Completed",
    ]
    assert run.stderr.splitlines()[0].startswith("event 4: warning $.anonymous_id")


def test_credentials_from_the_environment_and_key_redacted(run_cli: Callable[..., Run]) -> None:
    env = {
        "WEBENGAGE_LICENSE_CODE": "va1w264d",
        "WEBENGAGE_DATA_CENTRE": "in",
        "WEBENGAGE_API_KEY": KEY,
    }
    run = run_cli(FIXTURES / "identify.json", env=env)
    assert run.code == 0
    printed = json.loads(run.stdout)
    assert printed["url"] == "https://api.in.webengage.com/v1/accounts/va1w264d/users"
    assert printed["headers"]["Authorization"] == "Bearer ••••••••cdef"
    assert KEY not in run.stdout + run.stderr


def test_custom_host(run_cli: Callable[..., Run]) -> None:
    run = run_cli(
        FIXTURES / "worked-example.json",
        env={"WEBENGAGE_HOST": "api.eug.webengage.com", "WEBENGAGE_LICENSE_CODE": "lc"},
    )
    assert json.loads(run.stdout)["url"] == "https://api.eug.webengage.com/v1/accounts/lc/events"


def test_custom_blueprint(run_cli: Callable[..., Run]) -> None:
    run = run_cli(
        FIXTURES / "warn" / "custom-event.json",
        "--blueprint",
        FIXTURES / "blueprints" / "custom.toml",
    )
    assert run.code == 0 and run.stderr == ""
    assert json.loads(run.stdout)["body"]["eventData"] == {"productId": "SKU-1"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("missing.json",), "missing.json: no such file"),
        (("fixtures",), "fixtures: is a directory"),
        (
            ("fixtures/worked-example.json", "--blueprint", "fixtures/blueprints/malformed.toml"),
            "malformed.toml: not valid TOML",
        ),
        (
            ("fixtures/worked-example.json", "--blueprint", "fixtures/blueprints/unknown-key.toml"),
            "unknown key 'event_name'",
        ),
        (("fixtures/worked-example.json", "--blueprint", "nope.toml"), "nope.toml: no such file"),
    ],
)
def test_unreadable_input_exits_2_in_one_line(
    run_cli: Callable[..., Run], args: tuple[str, ...], expected: str
) -> None:
    run = run_cli(*args)
    assert run.code == 2
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and expected in run.stderr


def test_empty_array_is_unreadable(run_cli: Callable[..., Run], tmp_path: Path) -> None:
    path = tmp_path / "empty.json"
    path.write_text("[]")
    run = run_cli(path)
    assert run.code == 2 and "no events" in run.stderr


def test_a_bad_data_centre_is_reported_and_preview_still_works(
    run_cli: Callable[..., Run],
) -> None:
    run = run_cli(FIXTURES / "worked-example.json", env={"WEBENGAGE_DATA_CENTRE": "mars"})
    assert run.code == 0
    assert "mars" in run.stderr and len(run.stderr.splitlines()) == 1
    assert json.loads(run.stdout)["body"]["userId"] == "johndoe"


def _strict(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


def test_stdout_is_strict_json_nan_and_infinity_as_null(run_cli: Callable[..., Run]) -> None:
    run = run_cli(FIXTURES / "bad" / "nan-value.json")
    assert run.code == 1  # NaN and Infinity are errors already
    printed = _strict(run.stdout)
    assert isinstance(printed, dict)
    assert printed["body"]["eventData"]["amount"] is None
    assert "revenue" in run.stderr or "amount" in run.stderr


def test_several_events_print_the_same_text_as_one_array(run_cli: Callable[..., Run]) -> None:
    from tui.mapping.preview import preview_event
    from tui.mapping.signal import read_events
    from tui.webengage.request import Connection, json_text

    run = run_cli(FIXTURES / "several.ndjson")
    connection = Connection(license_code="")
    shown = [
        preview_event(raw, connection).request.preview_dict()
        for raw in read_events(FIXTURES / "several.ndjson")
    ]
    expected = json.loads(json_text(shown, indent=2))
    assert json.loads(run.stdout) == expected
    assert run.stdout == json_text(expected, indent=2) + "\n"


def test_a_large_ndjson_is_streamed_past_max_bytes(
    run_cli: Callable[..., Run], tmp_path: Path
) -> None:
    path = tmp_path / "many.ndjson"
    path.write_text(
        "".join(json.dumps({"event": "Signed Up", "user_id": f"u{i}"}) + "\n" for i in range(300))
    )
    run = run_cli(path, "--max-bytes", "1K")  # the whole-read limit: NDJSON is streamed
    assert run.code == 0, run.stderr
    assert len(json.loads(run.stdout)) == 300
    long_line = json.dumps({"event": "Signed Up", "user_id": "u", "properties": {"s": "x" * 99}})
    path.write_text('{"event": "Signed Up", "user_id": "u"}\n' + long_line + "\n")
    small = run_cli(path, "--max-event-bytes", "64")
    assert small.code == 2 and "many.ndjson:2:1: a line longer than 64 bytes" in small.stderr


def test_the_type_memory_of_earlier_sends_is_applied(
    run_cli: Callable[..., Run], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Sandbox

    first = tmp_path / "first.json"
    first.write_text(
        json.dumps({"user_id": "u1", "event": "Product Viewed", "properties": {"sku": 12}})
    )
    second = tmp_path / "second.json"
    second.write_text(
        json.dumps({"user_id": "u1", "event": "Product Viewed", "properties": {"sku": "A-12"}})
    )
    env = {"WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE, "WEBENGAGE_API_KEY": DEMO_API_KEY}
    assert "sku" not in run_cli(second, env=env).stderr  # nothing known yet
    with Sandbox() as sandbox:
        monkeypatch.setenv("WEBENGAGE_ROUTE_TO", sandbox.url)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        assert main(["send", str(first)]) == 0
    run = run_cli(second, env=env)
    assert run.code == 0 and "warning" in run.stderr and "sku" in run.stderr
