"""A WebEngage-compatible server on loopback, for tests, demos and `--sandbox` (PRODUCT.md §7).

with Sandbox() as sandbox:
    connection = Connection(license_code=DEMO_LICENSE_CODE,
                            api_key=SecretStr(DEMO_API_KEY), route_to=sandbox.url)
"""

from tui.core.sandbox.app import RequestRecord
from tui.core.sandbox.models import (
    DEFAULT_CLI_PORT,
    DEMO_API_KEY,
    DEMO_LICENSE_CODE,
    Fault,
    FaultKind,
    SandboxAccount,
    SandboxConfig,
    demo_account,
)
from tui.core.sandbox.server import Sandbox, SandboxError

__all__ = [
    "DEFAULT_CLI_PORT",
    "DEMO_API_KEY",
    "DEMO_LICENSE_CODE",
    "Fault",
    "FaultKind",
    "RequestRecord",
    "Sandbox",
    "SandboxAccount",
    "SandboxConfig",
    "SandboxError",
    "demo_account",
]
