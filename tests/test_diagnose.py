"""diagnose: every verdict reproduced against a real sandbox on loopback (the real Host header kept)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest
from pydantic import SecretStr

from tests.conftest import MakeSandbox, account, demo_connection
from tui.delivery.diagnose import Diagnosis, Probe, ProbeResult, Verdict, diagnose, judge
from tui.sandbox import DEMO_API_KEY, DEMO_LICENSE_CODE, Fault, FaultKind, Sandbox
from tui.webengage.api import DataCentre
from tui.webengage.client import RetryPolicy
from tui.webengage.request import Connection

FAST = RetryPolicy(max_attempts=2, base_delay_s=0.0, max_delay_s=0.0, jitter_s=0.0)
INDIA_KEY = "india-key-5f0c2b9e8d7a6c5b4a39"


async def run(connection: Connection) -> Diagnosis:
    return await diagnose(connection, retry=FAST, timeout_s=2.0)


def by_dc(diagnosis: Diagnosis) -> dict[str, ProbeResult]:
    return {p.label: p.result for p in diagnosis.probes if not p.variant}


async def test_right_data_centre(sandbox: Sandbox) -> None:
    result = await run(demo_connection(sandbox))
    assert result.verdict is Verdict.OK and result.exit_code == 0
    assert result.account_data_centre is DataCentre.GLOBAL
    assert by_dc(result) == {
        "Global": ProbeResult.OK,
        "India": ProbeResult.KEY_REJECTED,
        "KSA": ProbeResult.KEY_REJECTED,
    }
    assert result.title.startswith("All good")
    assert result.dashboard_url == "https://dashboard.webengage.com"
    ok = next(p for p in result.probes if p.result is ProbeResult.OK)
    assert ok.status == 400 and "cannot be empty" in (ok.message or "")
    assert sandbox.accepted() == []  # the probe never creates data


async def test_wrong_data_centre(make_sandbox: MakeSandbox) -> None:
    """The account lives in India; the connection says Global."""
    sandbox = make_sandbox(accounts=[account("in~shop", INDIA_KEY, DataCentre.INDIA)])
    connection = demo_connection(
        sandbox, data_centre=DataCentre.GLOBAL, license_code="in~shop", api_key=INDIA_KEY
    )
    result = await run(connection)
    assert result.verdict is Verdict.WRONG_DATA_CENTRE and result.exit_code == 1
    assert result.account_data_centre is DataCentre.INDIA
    assert by_dc(result)["India"] is ProbeResult.OK
    assert by_dc(result)["Global"] is ProbeResult.KEY_REJECTED
    assert result.dashboard_url == "https://dashboard.in.webengage.com"
    assert "lives in India" in result.title and "Global" in result.title
    assert "WEBENGAGE_DATA_CENTRE=in" in result.fix and "api.in.webengage.com" in result.fix


async def test_wrong_license_code(sandbox: Sandbox) -> None:
    result = await run(demo_connection(sandbox, license_code="sbx~typo"))
    assert result.verdict is Verdict.LICENSE_NOT_FOUND and result.exit_code == 4
    assert by_dc(result)["Global"] is ProbeResult.LICENSE_NOT_FOUND
    assert "Wrong license code" in result.title and "Global" in result.title
    assert "'sbx~typo'" in result.title
    assert result.dashboard_url == "https://dashboard.webengage.com"


async def test_wrong_key(sandbox: Sandbox) -> None:
    result = await run(demo_connection(sandbox, api_key="not-the-key-000000000000"))
    assert result.verdict is Verdict.KEY_REJECTED and result.exit_code == 3
    assert set(by_dc(result).values()) == {ProbeResult.KEY_REJECTED}
    assert "Account Management and Update Data" in result.detail
    assert "not-the-key-000000000000" not in result.model_dump_json()


async def test_key_of_an_admin_without_permissions(make_sandbox: MakeSandbox) -> None:
    restricted = "restricted-key-11112222333344445555"
    sandbox = make_sandbox(
        accounts=[account("sbx~demo", DEMO_API_KEY, restricted_keys=(SecretStr(restricted),))]
    )
    result = await run(demo_connection(sandbox, api_key=restricted))
    assert result.verdict is Verdict.KEY_REJECTED


@pytest.mark.parametrize("pasted", [f'"{DEMO_API_KEY}"', f"Bearer {DEMO_API_KEY}"])
async def test_key_with_stray_characters(sandbox: Sandbox, pasted: str) -> None:
    result = await run(demo_connection(sandbox, api_key=pasted))
    assert result.verdict is Verdict.VALUE_NEEDS_CLEANING and result.exit_code == 1
    assert "REST API key" in result.title
    assert any(p.variant == "key cleaned" and p.result is ProbeResult.OK for p in result.probes)


async def test_license_code_with_spaces_on_another_data_centre(make_sandbox: MakeSandbox) -> None:
    sandbox = make_sandbox(accounts=[account("in~shop", INDIA_KEY, DataCentre.INDIA)])
    result = await run(demo_connection(sandbox, license_code=" in~shop ", api_key=INDIA_KEY))
    assert result.verdict is Verdict.VALUE_NEEDS_CLEANING
    assert result.account_data_centre is DataCentre.INDIA
    assert "license code" in result.title and "WEBENGAGE_DATA_CENTRE=in" in result.fix


async def test_custom_host_that_works(sandbox: Sandbox) -> None:
    connection = demo_connection(sandbox, data_centre=None, custom_host="proxy.example.com")
    result = await run(connection)
    assert result.verdict is Verdict.OK
    assert any(p.data_centre is None and p.result is ProbeResult.OK for p in result.probes)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_network_failure_everywhere() -> None:
    connection = Connection(
        license_code=DEMO_LICENSE_CODE,
        api_key=SecretStr(DEMO_API_KEY),
        route_to=f"http://127.0.0.1:{closed_port()}",
    )
    result = await run(connection)
    assert result.verdict is Verdict.UNREACHABLE and result.exit_code == 7
    assert all(p.result is ProbeResult.NETWORK for p in result.probes)
    assert "refused" in result.detail
    assert "internet connection" in result.fix


async def test_server_errors_are_inconclusive(sandbox: Sandbox) -> None:
    sandbox.inject(Fault(kind=FaultKind.SERVER_ERROR, times=None))
    result = await run(demo_connection(sandbox))
    assert result.verdict is Verdict.INCONCLUSIVE and result.exit_code == 8
    assert "503" in result.detail


def test_missing_credentials() -> None:
    result = judge(Connection(license_code="", api_key=SecretStr("")), [])
    assert result.verdict is Verdict.MISSING_CREDENTIALS and result.exit_code == 2
    assert "license code" in result.title and "REST API key" in result.title


def probe(dc: DataCentre, result: ProbeResult, **extra: object) -> Probe:
    return Probe(
        data_centre=dc,
        host=dc.api_host,
        url=f"https://{dc.api_host}/v1/accounts/x/events",
        result=result,
        **extra,
    )


def test_partly_unreachable_points_at_the_silent_data_centre() -> None:
    connection = Connection(license_code="abc", api_key=SecretStr("k" * 20))
    probes = [
        probe(DataCentre.GLOBAL, ProbeResult.KEY_REJECTED, status=401),
        probe(DataCentre.INDIA, ProbeResult.KEY_REJECTED, status=401),
        probe(DataCentre.KSA, ProbeResult.NETWORK, message="timed out connecting"),
    ]
    result = judge(connection, probes)
    assert result.verdict is Verdict.UNREACHABLE
    assert result.title == "Could not reach KSA."
    assert "may live on the unreachable one" in result.detail


def test_rate_limited_is_inconclusive_but_names_the_likely_home() -> None:
    connection = Connection(license_code="abc", api_key=SecretStr("k" * 20))
    probes = [
        probe(DataCentre.GLOBAL, ProbeResult.KEY_REJECTED, status=401),
        probe(DataCentre.INDIA, ProbeResult.RATE_LIMITED, status=429),
        probe(DataCentre.KSA, ProbeResult.KEY_REJECTED, status=401),
    ]
    result = judge(connection, probes)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.account_data_centre is DataCentre.INDIA


def test_cli_plain_and_json(sandbox: Sandbox) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "WEBENGAGE_API_KEY": DEMO_API_KEY,
        "WEBENGAGE_LICENSE_CODE": DEMO_LICENSE_CODE,
        "WEBENGAGE_DATA_CENTRE": "ksa",
        "WEBENGAGE_ROUTE_TO": sandbox.url,
    }
    import os

    env["WEBENGAGE_DEBUGGER_HOME"] = os.environ["WEBENGAGE_DEBUGGER_HOME"]
    cmd = [sys.executable, "-m", "tui", "diagnose"]
    plain = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert plain.returncode == 1, plain.stderr
    assert "Wrong data centre" in plain.stdout and "KSA" in plain.stdout
    assert "https://dashboard.webengage.com" in plain.stdout
    assert DEMO_API_KEY not in plain.stdout + plain.stderr

    as_json = subprocess.run(
        [*cmd, "--json", "--license", "sbx~other"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert as_json.returncode == 4, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["verdict"] == "license_not_found"
    assert data["license_code"] == "sbx~other"
    assert len(data["probes"]) == 3


def test_cli_without_credentials() -> None:
    import os

    env = {
        "PATH": "/usr/bin:/bin",
        "WEBENGAGE_DEBUGGER_HOME": os.environ["WEBENGAGE_DEBUGGER_HOME"],
    }
    done = subprocess.run(
        [sys.executable, "-m", "tui", "diagnose"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Nothing to probe with" in done.stdout
