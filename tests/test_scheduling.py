"""Scheduling is py-fsrs: our wrappers must agree with it exactly, for any rating sequence."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from hypothesis import given, settings
from hypothesis import strategies as st

from lossquiz.progress import scheduling

START = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_golden_sequence_matches_fsrs() -> None:
    # reviews at the same time of day, days starting at UTC midnight: study days = 24-hour periods,
    # so the memory states are py-fsrs's exactly (only a review card's due moves to its day start)
    ours = scheduling.make_scheduler(fuzz=False, day_start_hour=0, tz=timezone.utc)
    theirs = Scheduler(enable_fuzzing=False)
    card = scheduling.new_card(1, START)
    ref = FsrsCard(card_id=1, due=START)
    now = START
    intervals = []
    for rating in (Rating.Good, Rating.Good, Rating.Again, Rating.Hard, Rating.Easy, Rating.Good):
        result = scheduling.outcome(ours, card, rating, now=now)
        card = result.card
        ref, _ = theirs.review_card(ref, rating, review_datetime=now)
        assert {**card.to_dict(), "due": None} == {**ref.to_dict(), "due": None}
        intervals.append(scheduling.format_interval(result.interval))
        now = ref.due
    # FSRS-6 defaults, fuzz off: learning steps 1m/10m, relearning 10m.
    assert intervals == ["10m", "2d", "10m", "15m", "1d", "3d"]


def test_preview_gives_increasing_intervals() -> None:
    s = scheduling.make_scheduler(fuzz=False)
    intervals = scheduling.preview(s, scheduling.new_card(1, START), now=START)
    assert intervals[Rating.Again] <= intervals[Rating.Hard] <= intervals[Rating.Good] <= intervals[Rating.Easy]


def test_format_interval() -> None:
    assert scheduling.format_interval(timedelta(minutes=10)) == "10m"
    assert scheduling.format_interval(timedelta(hours=5)) == "5h"
    assert scheduling.format_interval(timedelta(days=3)) == "3d"
    assert scheduling.format_interval(timedelta(days=75)) == "2.5mo"
    assert scheduling.format_interval(timedelta(days=730)) == "2y"


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Rating)), st.integers(min_value=0, max_value=60 * 24 * 90)),
        min_size=1,
        max_size=12,
    )
)
def test_any_rating_sequence_keeps_due_after_review_and_round_trips(steps: list[tuple[Rating, int]]) -> None:
    s = scheduling.make_scheduler(fuzz=False)
    card = scheduling.new_card(7, START)
    now = START
    for rating, wait_minutes in steps:
        now = now + timedelta(minutes=wait_minutes)
        card = scheduling.review(s, card, rating, now=now)
        assert card.due >= now
        assert scheduling.load(scheduling.dump(card), 7, now).to_dict() == card.to_dict()
