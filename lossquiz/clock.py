"""The one place that reads the wall clock; everything else is handed `now`."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Protocol

from lossquiz.errors import LossquizError

NOW_ENV = "LOSSQUIZ_NOW"  # an ISO-8601 time with an offset: the CLI runs as if it were then (tests, demos)
DEFAULT_DAY_START_HOUR = 4  # Anki's "next day starts at": a day runs 04:00 to 04:00 local time


class ClockError(LossquizError):
    """LOSSQUIZ_NOW is set but is not a usable time (a usage error)."""

    exit_code = 2


class Clock(Protocol):
    """Something that tells the time in UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, or the time in LOSSQUIZ_NOW when that is set (refused unless it parses)."""

    def __init__(self) -> None:
        self._fixed = fixed_now_from_env()

    def now(self) -> datetime:
        """Current time, timezone-aware UTC (py-fsrs requires `timezone.utc`)."""
        return self._fixed if self._fixed is not None else datetime.now(timezone.utc)


def fixed_now_from_env() -> datetime | None:
    """The time LOSSQUIZ_NOW names, as UTC; None when unset; ClockError when it is not ISO-8601 with an offset."""
    text = os.environ.get(NOW_ENV)
    if text is None or not text.strip():
        return None
    raw = text.strip()
    raw = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ClockError(f"{NOW_ENV}={text!r} is not an ISO-8601 time (e.g. 2026-03-01T08:00:00+01:00)") from None
    if moment.tzinfo is None:
        raise ClockError(f"{NOW_ENV}={text!r} has no UTC offset (add Z or +01:00)")
    return moment.astimezone(timezone.utc)


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


def day_of(moment: datetime, *, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> date:
    """The study day `moment` falls on, as Anki counts days: local calendar days starting at `hour`.

    22:00 and 08:00 the next morning are one day apart; 01:00 still belongs to the day before.
    """
    local = moment.astimezone(tz)
    return (local - timedelta(hours=hour)).date()


def start_of_day(day: date, *, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> datetime:
    """When study day `day` begins (local `hour` o'clock), as UTC."""
    naive = datetime(day.year, day.month, day.day, hour)
    local = naive.replace(tzinfo=tz) if tz is not None else naive.astimezone()
    return local.astimezone(timezone.utc)


def local_day_start(moment: datetime, *, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> datetime:
    """When the study day containing `moment` began, as UTC."""
    return start_of_day(day_of(moment, hour=hour, tz=tz), hour=hour, tz=tz)


def next_day_start(moment: datetime, *, hour: int = DEFAULT_DAY_START_HOUR, tz: tzinfo | None = None) -> datetime:
    """When the study day after the one containing `moment` begins: "due today" means due before this."""
    return start_of_day(day_of(moment, hour=hour, tz=tz) + timedelta(days=1), hour=hour, tz=tz)


def format_interval(delta: timedelta) -> str:
    """10m, 5h, 3d, 2.5mo, 1.2y — how long until a card is due."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 3600:
        return f"{max(round(seconds / 60), 1)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")
