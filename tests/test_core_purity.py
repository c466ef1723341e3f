"""The domain never imports Textual: it must be usable from scripts, the CLI and the sandbox alone."""

import subprocess
import sys

DOMAIN_PACKAGES = ["tui.webengage", "tui.mapping", "tui.store", "tui.delivery", "tui.sandbox"]


def test_core_imports_no_textual() -> None:
    import importlib
    import pkgutil

    modules = sorted(
        {
            name
            for package in DOMAIN_PACKAGES
            for name in (
                package,
                *(
                    m.name
                    for m in pkgutil.walk_packages(
                        importlib.import_module(package).__path__, prefix=f"{package}."
                    )
                ),
            )
        }
    )
    assert len(modules) > 30, modules
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
    assert result.stdout.strip() == "", f"the domain pulled in Textual: {result.stdout}"
