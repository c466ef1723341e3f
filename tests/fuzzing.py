"""How hard the property tests search: `examples(n)` is the share of a test's full count that a
run asks hypothesis for.

The full counts (the `n`s, tuned when each test was written) find rare shapes but cost minutes of
the suite; a plain `pytest` runs `FUZZ_SCALE` of them (default 0.3, at least 50), and
`FUZZ_SCALE=1 pytest tests/test_fuzz_preview.py tests/test_fast_paths.py tests/test_json_fast.py`
(or higher) runs the full search: after a change to the mapping, the readers or the JSON writer,
and before a release. A failure found either way is kept in `.hypothesis/` and tried first the next
time on that machine.
"""

from __future__ import annotations

import os

SCALE = float(os.environ.get("FUZZ_SCALE", "0.3"))
MINIMUM = 50


def examples(full: int) -> int:
    """The examples to ask for, out of a test's `full` count."""
    return max(min(full, MINIMUM), round(full * SCALE))
