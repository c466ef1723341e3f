"""`python -m tui` is the same as the `webengage-debugger` command."""

from tui.cli import main

raise SystemExit(main())
