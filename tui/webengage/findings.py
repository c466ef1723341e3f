"""A finding: something about an event that WebEngage would reject, lose or mis-type, found before sending."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Severity(StrEnum):
    ERROR = "error"  # WebEngage would reject it or lose data: sending is refused unless forced
    WARNING = "warning"  # it will be accepted, but probably not as the user meant
    INFO = "info"  # worth knowing (e.g. why anonymousId was not sent)


class Finding(BaseModel):
    """One problem, located by the JSON path it concerns (in the Signal event, e.g. `$.properties.we_x`)."""

    model_config = ConfigDict(frozen=True)

    severity: Severity
    path: str
    message: str
    fix: str
    code: str = ""  # stable machine-readable id, e.g. "reserved-name"

    def line(self) -> str:
        """One line for a terminal: `error   $.properties.we_x: message (fix: ...)`."""
        return f"{self.severity.value:<7} {self.path}: {self.message} (fix: {self.fix})"


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
