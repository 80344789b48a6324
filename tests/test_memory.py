"""progress/memory.py: FSRS-6's forgetting curve without py-fsrs gives py-fsrs's own numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from lossquiz.progress import memory, scheduling
from tests.test_stats import tz as tz  # the process time zone, set for one test

NOW = datetime(2026, 3, 10, 15, 30, tzinfo=timezone.utc)
STABILITIES = (0.001, 0.1, 0.5, 1.0, 2.3065, 7.5, 30.0, 365.25, 36500.0)
ELAPSED = (0, 1, 2, 3, 7, 30, 100, 365, 3650)


def test_the_constants_are_py_fsrs_defaults() -> None:
    assert memory.DEFAULT_DECAY == DEFAULT_PARAMETERS[20]
    assert (memory.LEARNING, memory.REVIEW, memory.RELEARNING) == (State.Learning, State.Review, State.Relearning)
    assert memory.DEFAULT_RETENTION == Scheduler().desired_retention


@pytest.mark.parametrize("decay", [DEFAULT_PARAMETERS[20], 0.1, 0.6, 0.8])
def test_retrievability_is_py_fsrs_over_a_grid_of_days_and_stabilities(decay: float) -> None:
    parameters = [*DEFAULT_PARAMETERS[:20], decay]
    fsrs = Scheduler(parameters=parameters, enable_fuzzing=False)
    for stability in STABILITIES:
        for days in ELAPSED:
            last = NOW - timedelta(days=days)
            card = FsrsCard(
                card_id=1, state=State.Review, stability=stability, difficulty=5.0, due=NOW, last_review=last
            )
            expected = fsrs.get_card_retrievability(card, current_datetime=NOW)
            # hour 0 in UTC: a study day is a calendar day, so `days` whole days apart are `days` study days
            got = memory.retrievability(stability, last, now=NOW, decay=decay, day_start_hour=0)
            assert got == expected, (decay, stability, days)  # the same float, not merely close


@pytest.mark.parametrize("hour", [0, 4, 23])
@pytest.mark.parametrize("decay", [DEFAULT_PARAMETERS[20], 0.6])
def test_retrievability_counts_study_days_as_scheduling_does(
    hour: int, decay: float, tz: Callable[[str], None]
) -> None:
    """Reviews every 5 hours over two weeks, across a DST change: the recall lossquiz's py-fsrs wrapper gives."""
    tz("America/New_York")  # DST began on 8 March 2026
    parameters = None if decay == DEFAULT_PARAMETERS[20] else [*DEFAULT_PARAMETERS[:20], decay]
    scheduler = scheduling.make_scheduler(fuzz=False, parameters=parameters, day_start_hour=hour)
    for hours in range(0, 24 * 14, 5):
        last = NOW - timedelta(hours=hours, minutes=7)
        card = FsrsCard(card_id=3, state=State.Review, stability=4.2, difficulty=5.0, due=NOW, last_review=last)
        expected = scheduling.retrievability(scheduler, card, now=NOW)
        stored = memory.stability_and_last_review(scheduling.dump(card))
        assert stored == (4.2, last)
        assert memory.retrievability(*stored, now=NOW, decay=decay, day_start_hour=hour) == expected, hours


def test_a_card_without_a_memory_has_no_recall() -> None:
    fresh = scheduling.new_card(5, NOW)
    stored = memory.stability_and_last_review(scheduling.dump(fresh))
    assert stored == (None, None)
    assert memory.retrievability(*stored, now=NOW) == 0.0 == Scheduler().get_card_retrievability(fresh, NOW)
