"""Days as Anki counts them, checked against fsrs-rs-python (the Rust FSRS inside Anki).

fsrs-rs is given Anki's day count (local calendar days starting at 04:00) and the same ratings;
lossquiz must store the same stability and difficulty and schedule the same interval, including
the case the review found: a card answered at 22:00 and forgotten at 08:00 the next morning.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from fsrs import Rating, State

from lossquiz.clock import day_of, local_day_start, start_of_day
from lossquiz.progress import scheduling

fsrs_rs = pytest.importorskip("fsrs_rs_python")

TZ = timezone(timedelta(hours=1))  # a user in UTC+1: local days are not UTC days
DAY_START = 4


def local(text: str) -> datetime:
    """A local wall-clock time (UTC+1) as the UTC instant lossquiz is handed."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).astimezone(timezone.utc)


def anki_days(earlier: datetime, later: datetime) -> int:
    """Anki's elapsed days, computed here independently: local dates after moving back 4 hours."""

    def day(t: datetime) -> date:
        return (t.astimezone(TZ) - timedelta(hours=DAY_START)).date()

    return (day(later) - day(earlier)).days


# (local time, rating): learning steps, a next-morning review, a long interval, the 22:00 -> 08:00 lapse
HISTORY = [
    ("2026-03-01 09:00", 3),
    ("2026-03-01 09:10", 3),
    ("2026-03-02 23:30", 3),  # 1 day 14 h later
    ("2026-03-03 03:30", 3),  # 4 h later, before 04:00: still the same study day (0 days)
    ("2026-03-05 22:00", 4),
    ("2026-03-20 10:00", 3),
    ("2026-05-30 22:00", 3),  # a long interval, reviewed in the evening ...
    ("2026-05-31 08:00", 1),  # ... and forgotten the next morning, 10 h later: one day elapsed
    ("2026-05-31 08:10", 3),
    ("2026-06-04 20:00", 2),
    ("2026-06-12 07:00", 3),
    ("2026-06-12 12:00", 1),  # a same-day lapse: 0 days
    ("2026-06-12 12:10", 3),
    ("2026-07-01 04:30", 3),
]


def _replay(fuzz: bool = False) -> list[tuple[scheduling.Outcome, datetime]]:
    s = scheduling.make_scheduler(fuzz=fuzz, day_start_hour=DAY_START, tz=TZ)
    card = scheduling.new_card(1, local(HISTORY[0][0]))
    out = []
    for text, rating in HISTORY:
        now = local(text)
        result = scheduling.outcome(s, card, Rating(rating), now=now)
        out.append((result, now))
        card = result.card
    return out


def test_a_replayed_history_matches_fsrs_rs_with_ankis_day_count() -> None:
    model = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS)
    memory = None
    previous: datetime | None = None
    review_intervals = 0
    for (result, now), (_text, rating) in zip(_replay(), HISTORY, strict=True):
        days = 0 if previous is None else anki_days(previous, now)
        nxt = getattr(model.next_states(memory, 0.9, days), {1: "again", 2: "hard", 3: "good", 4: "easy"}[rating])
        memory, previous = nxt.memory, now
        assert result.card.stability == pytest.approx(memory.stability, rel=1e-5)
        assert result.card.difficulty == pytest.approx(memory.difficulty, rel=1e-5)
        if result.card.state == State.Review:  # learning steps are minutes, not fsrs-rs's business
            assert result.interval == timedelta(days=max(round(nxt.interval), 1))
            review_intervals += 1
    assert review_intervals >= 6


def test_the_evening_morning_lapse_is_one_day_not_a_same_day_review() -> None:
    replayed = _replay()
    evening, _ = replayed[6]
    morning, _ = replayed[7]
    relearned, _ = replayed[8]
    assert evening.card.stability is not None and evening.card.stability > 30
    # py-fsrs on 24-hour periods would use the same-day formula here and keep most of the stability
    assert morning.card.stability is not None and morning.card.stability < evening.card.stability / 5
    assert relearned.interval <= timedelta(days=10)


def test_a_review_card_is_due_at_the_start_of_its_local_day() -> None:
    for result, now in _replay():
        if result.card.state == State.Review:
            due_local = result.card.due.astimezone(TZ)
            assert (due_local.hour, due_local.minute) == (DAY_START, 0)
            assert day_of(result.card.due, hour=DAY_START, tz=TZ) == day_of(now, hour=DAY_START, tz=TZ) + (
                result.interval
            )


def test_day_boundaries() -> None:
    assert day_of(local("2026-03-03 03:59"), tz=TZ) == date(2026, 3, 2)
    assert day_of(local("2026-03-03 04:00"), tz=TZ) == date(2026, 3, 3)
    assert local_day_start(local("2026-03-03 02:00"), tz=TZ) == local("2026-03-02 04:00")
    assert start_of_day(date(2026, 3, 3), hour=6, tz=TZ) == local("2026-03-03 06:00")
    s = scheduling.make_scheduler(day_start_hour=DAY_START, tz=TZ)
    assert s.elapsed_days(local("2026-05-30 22:00"), local("2026-05-31 08:00")) == 1
    assert s.elapsed_days(local("2026-05-31 00:30"), local("2026-05-31 03:00")) == 0
    assert s.elapsed_days(local("2026-05-31 03:00"), local("2026-05-31 05:00")) == 1
