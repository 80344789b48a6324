"""The one place that reads the wall clock; everything else is handed `now`."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    """Something that tells the time in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """Current time, timezone-aware UTC (py-fsrs requires `timezone.utc`)."""
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock for tests: stands still unless advanced."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        """The fixed time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self._now += delta


def iso(moment: datetime) -> str:
    """Fixed-width ISO-8601 UTC text, so stored times sort and compare as strings."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def local_day_start(moment: datetime) -> datetime:
    """Midnight of the user's local day containing `moment`, as UTC."""
    local = moment.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
