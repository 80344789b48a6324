"""The heatmap names the current month from its first day (fourteenth newcomer pass N14-11)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lossquiz.progress.stats import HEATMAP_WEEKS, DayCount
from lossquiz.ui.stats_view import _month_line


def _line(today: date) -> str:
    """The month line over the heatmap's weeks, Monday HEATMAP_WEEKS-1 weeks ago to today."""
    start = today - timedelta(days=today.weekday() + 7 * (HEATMAP_WEEKS - 1))
    days = [DayCount(start + timedelta(days=i), 0) for i in range((today - start).days + 1)]
    return _month_line([days[i : i + 7] for i in range(0, len(days), 7)]).plain


@pytest.mark.parametrize(
    ("today", "month", "before"),
    [
        (date(2026, 12, 2), "Dec", "Nov"),  # the 1st a Tuesday, no Monday of December yet
        (date(2026, 11, 1), "Nov", "Oct"),  # today is the 1st, a Sunday
        (date(2026, 6, 1), "Jun", "May"),  # the 1st a Monday
    ],
)
def test_the_current_month_is_named_on_its_first_days(today: date, month: str, before: str) -> None:
    line = _line(today)
    assert line.rstrip().endswith(month), line
    assert line.index(before) < line.index(month), line  # the month before is still named, ahead of it


def test_each_month_is_named_once_over_the_week_holding_its_first_day() -> None:
    line = _line(date(2026, 12, 2))
    names = line.split()
    assert names == ["Aug", "Sep", "Oct", "Nov", "Dec"], line
    # December 1st is a Tuesday in the last column; October 1st a Thursday, in the column of Sep 28
    start = date(2026, 12, 2) - timedelta(days=2 + 7 * (HEATMAP_WEEKS - 1))
    oct_column = (date(2026, 9, 28) - start).days // 7
    assert line[4 + 2 * oct_column : 4 + 2 * oct_column + 3] == "Oct", line
