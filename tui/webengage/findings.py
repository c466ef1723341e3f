"""A finding: something about an event that WebEngage would reject, lose or mis-type, found before sending."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # WebEngage would reject it or lose data: sending is refused unless forced
    WARNING = "warning"  # it will be accepted, but probably not as the user meant
    INFO = "info"  # worth knowing (e.g. why anonymousId was not sent)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, located by the JSON path it concerns (in the Signal event, e.g. `$.properties.we_x`).

    A plain frozen dataclass: the mapping makes them on every keystroke. Where one is stored (a
    `LogEntry`'s findings, in the history's JSON) pydantic validates and writes it by its fields,
    as it did when this was a model; `to_json()` is its JSON object (`dataclasses.replace` copies
    one with changes)."""

    severity: Severity
    path: str
    message: str
    fix: str
    code: str = ""  # stable machine-readable id, e.g. "reserved-name"

    def to_json(self) -> dict[str, str]:
        """`{"severity", "path", "message", "fix", "code"}`, as the history stores it."""
        return {
            "severity": self.severity.value,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
            "code": self.code,
        }

    def line(self) -> str:
        """One line for a terminal: `error   $.properties.we_x: message (fix: ...)`."""
        return f"{self.severity.value:<7} {self.path}: {self.message} (fix: {self.fix})"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
