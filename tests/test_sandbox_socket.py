"""A sandbox served on a socket bound beforehand (what `webengage-debugger --sandbox` does so that
its first paint need not wait for aiohttp): a request sent before the server is up is answered
once it is, never refused."""

from __future__ import annotations

import socket
import threading

import httpx
from pydantic import SecretStr

from tui.cli.tui import listening_socket
from tui.sandbox import Sandbox, SandboxConfig
from tui.sandbox.models import ADMIN_TOKEN_HEADER


def test_a_request_sent_before_the_server_starts_waits_for_it() -> None:
    sock = listening_socket()
    port = sock.getsockname()[1]
    token = "socket-test-admin-token-0123"  # known before the sandbox exists: given in its config
    answers: list[httpx.Response] = []
    sent = threading.Thread(
        target=lambda: answers.append(
            httpx.get(
                f"http://127.0.0.1:{port}/sandbox",
                headers={ADMIN_TOKEN_HEADER: token},
                timeout=10,
            )
        )
    )
    sent.start()
    with Sandbox(SandboxConfig(admin_token=SecretStr(token)), sock=sock) as sandbox:
        assert sandbox.port == port
        sent.join(10)
        assert [answer.status_code for answer in answers] == [200]
    with socket.socket() as probe:  # stopping the sandbox closed the socket
        assert probe.connect_ex(("127.0.0.1", port)) != 0
