"""The domain never imports Textual: it must be usable from scripts, the CLI and the sandbox alone."""

import subprocess
import sys

CORE_MODULES = [
    "tui.core.webengage",
    "tui.core.findings",
    "tui.core.request",
    "tui.core.outcomes",
    "tui.core.delivery",
]


def test_core_imports_no_textual() -> None:
    import pkgutil

    import tui.core

    modules = sorted(
        {
            *CORE_MODULES,
            *(m.name for m in pkgutil.walk_packages(tui.core.__path__, prefix="tui.core.")),
        }
    )
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"tui.core pulled in Textual: {result.stdout}"
