"""`tui.mapping.fast.construct` (the mapping's speed trick) builds the same models validation does."""

from __future__ import annotations

from tui.mapping.fast import construct
from tui.webengage.findings import Finding, Severity


def test_construct_equals_validation() -> None:
    values = {
        "severity": Severity.ERROR,
        "path": "$.properties.we_x",
        "message": "reserved",
        "fix": "rename it",
        "code": "reserved-name",
    }
    fast = construct(Finding, dict(values))
    slow = Finding.model_validate(values)
    assert fast == slow
    assert fast.model_dump() == slow.model_dump()
    assert fast.model_fields_set == slow.model_fields_set
    assert hash(fast) == hash(slow)  # frozen models stay hashable
