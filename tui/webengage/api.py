"""WebEngage's own facts: data centres, endpoints, limits and the date format, in WebEngage's words."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum


class DataCentre(StrEnum):
    """The regional data centres WebEngage hosts accounts in (the CLI's `--data-centre` values)."""

    GLOBAL = "global"
    INDIA = "in"
    KSA = "ksa"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def api_host(self) -> str:
        return _API_HOSTS[self]

    @property
    def dashboard_host(self) -> str:
        return _DASHBOARDS[self]

    @classmethod
    def from_host(cls, host: str) -> DataCentre | None:
        """The data centre whose API host this is, or None for a custom host."""
        bare = host.lower().split("://")[-1].split("/")[0].split(":")[0]
        for dc, api_host in _API_HOSTS.items():
            if bare == api_host:
                return dc
        return None


_LABELS = {DataCentre.GLOBAL: "Global", DataCentre.INDIA: "India", DataCentre.KSA: "KSA"}
_API_HOSTS = {
    DataCentre.GLOBAL: "api.webengage.com",
    DataCentre.INDIA: "api.in.webengage.com",
    DataCentre.KSA: "api.ksa.webengage.com",
}
_DASHBOARDS = {
    DataCentre.GLOBAL: "dashboard.webengage.com",
    DataCentre.INDIA: "dashboard.in.webengage.com",
    DataCentre.KSA: "dashboard.ksa.webengage.com",
}


class Endpoint(StrEnum):
    """The four REST endpoints under /v1/accounts/<license code>/."""

    EVENTS = "events"
    USERS = "users"
    BULK_EVENTS = "bulk-events"
    BULK_USERS = "bulk-users"

    def path(self, license_code: str) -> str:
        return f"/v1/accounts/{license_code}/{self.value}"

    @property
    def is_bulk(self) -> bool:
        return self in (Endpoint.BULK_EVENTS, Endpoint.BULK_USERS)

    @property
    def rate_limit_per_minute(self) -> int:
        return BULK_CALLS_PER_MINUTE if self.is_bulk else CALLS_PER_MINUTE


# Limits (webengage-api.md). The docs say "less than 50" / "less than 1000"; the integration spec
# says "max": a value exactly at the limit is a warning, over it an error.
NAME_MAX = 50
STRING_MAX = 1000
ATTRIBUTES_PER_TYPE_MAX = 25
ID_MAX = 100
BULK_ITEMS_MAX = 25
CALLS_PER_MINUTE = 5000
BULK_CALLS_PER_MINUTE = 500
RESERVED_PREFIX = "we_"
DEDUPLICATION_WINDOW_H = 4
"""WebEngage drops a repeat of the same `x-request-id` within this many hours."""

EVENT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S+0000"
"""`yyyy-MM-ddTHH:mm:ss+0000`: eventTime, birthDate and Date attributes, always in UTC."""


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def format_event_time(moment: datetime) -> str:
    """WebEngage's date format, in UTC, fractions of a second dropped. Naive datetimes are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    m = moment.astimezone(UTC)
    # Not strftime: glibc's %Y does not pad years before 1000 to four digits. Not `:02d` either:
    # each format spec costs more than the rest together (this runs for every event).
    two, year = _TWO_DIGITS, m.year
    return (
        f"{two[year // 100]}{two[year % 100]}-{two[m.month]}-{two[m.day]}"
        f"T{two[m.hour]}:{two[m.minute]}:{two[m.second]}+0000"
    )


QUEUED_BODY = {"response": {"status": "queued"}}
MISSING_IDENTITY_MESSAGE = "Error: userId and anonymousId cannot be empty."
