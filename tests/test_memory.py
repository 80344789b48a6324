"""progress/memory.py: FSRS-6's forgetting curve without py-fsrs gives py-fsrs's own numbers."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fsrs import Card as FsrsCard
from fsrs import Scheduler, State
from fsrs.scheduler import DEFAULT_PARAMETERS

from lossquiz.clock import day_of, start_of_day
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
        assert memory.retrievability(4.2, last, now=NOW, decay=decay, day_start_hour=hour) == expected, hours


def test_a_card_without_a_memory_has_no_recall() -> None:
    fresh = scheduling.new_card(5, NOW)
    assert (fresh.stability, fresh.last_review) == (None, None)
    assert memory.retrievability(None, None, now=NOW) == 0.0 == Scheduler().get_card_retrievability(fresh, NOW)


@pytest.mark.parametrize("hour", [0, 4, 23])
def test_stats_recall_finds_each_study_day_as_scheduling_does(
    hour: int, tz: Callable[[str], None], tmp_path: Path, deck_dir: Path
) -> None:
    """`stats` reads the stored state with SQL and finds the last review's study day among its own
    day starts (older ones by day_of): every 11 hours over 200 days, across a DST change, a card's
    recall is what lossquiz's py-fsrs wrapper gives."""
    from lossquiz.deck.cards import load_deck
    from lossquiz.progress.stats import compute_stats
    from lossquiz.progress.store import Store

    tz("America/New_York")  # DST began on 8 March 2026
    scheduler = scheduling.make_scheduler(fuzz=False, parameters=None, day_start_hour=hour)
    deck = load_deck(deck_dir)
    with Store.open(tmp_path) as store:
        store.sync_cards([(c.id, c.content_hash()) for c in deck.cards])
    checked = set()
    today = day_of(NOW, hour=hour)
    starts = [start_of_day(today - timedelta(days=d), hour=hour) for d in range(0, 200, 9)]
    edges = [
        moment + timedelta(microseconds=e) for moment in starts for e in (-1, 0)
    ]  # a day's last and first instants
    for last in [NOW - timedelta(hours=hours, minutes=7) for hours in range(0, 24 * 200, 11)] + edges:
        card = FsrsCard(card_id=3, state=State.Review, stability=4.2, difficulty=5.0, due=NOW, last_review=last)
        with sqlite3.connect(tmp_path / "progress.db") as conn:
            conn.execute(
                "UPDATE cards SET fsrs_json = ?, state = 2, due = ? WHERE slug = 'square'",
                (scheduling.dump(card), NOW.isoformat()),
            )
        with Store.open(tmp_path, readonly=True) as store:
            figures = compute_stats(store, deck, now=NOW, day_start_hour=hour)
        (regression,) = [t for t in figures.topics if t.seen]
        expected = scheduling.retrievability(scheduler, card, now=NOW)
        assert regression.recall == expected, last
        checked.add(round(expected, 6))
    assert len(checked) > 150  # the days differ, so the recall does: the equality above can fail
