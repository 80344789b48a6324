"""Pure wrappers over py-fsrs: no I/O, no clock reads; `now` is always passed in."""

from __future__ import annotations

from datetime import datetime, timedelta

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler, State

DEFAULT_RETENTION = 0.9
RATING_KEYS = {
    "1": Rating.Again,
    "2": Rating.Hard,
    "3": Rating.Good,
    "4": Rating.Easy,
    "a": Rating.Again,
    "h": Rating.Hard,
    "g": Rating.Good,
    "e": Rating.Easy,
}


def make_scheduler(
    *,
    retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    parameters: list[float] | None = None,
) -> Scheduler:
    """The one place a Scheduler is built (tests turn fuzz off: it uses global random)."""
    if parameters is not None:
        return Scheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=fuzz)
    return Scheduler(desired_retention=retention, enable_fuzzing=fuzz)


def new_card(card_id: int, now: datetime) -> FsrsCard:
    """A fresh fsrs card (explicit id and due: the defaults sleep and read the clock)."""
    return FsrsCard(card_id=card_id, due=now)


def load(state_json: str | None, card_id: int, now: datetime) -> FsrsCard:
    """A stored state, or a new card when there is none."""
    return FsrsCard.from_json(state_json) if state_json else new_card(card_id, now)


def dump(card: FsrsCard) -> str:
    """Serialise a state for storage."""
    return card.to_json()  # type: ignore[no-any-return]


def review(scheduler: Scheduler, card: FsrsCard, rating: Rating, *, now: datetime) -> FsrsCard:
    """The card after one review (py-fsrs returns a copy; the input is untouched)."""
    updated, _log = scheduler.review_card(card, rating, review_datetime=now)
    return updated


def preview(scheduler: Scheduler, card: FsrsCard, *, now: datetime) -> dict[Rating, timedelta]:
    """The next interval each rating would give."""
    return {r: review(scheduler, card, r, now=now).due - now for r in Rating}


def retrievability(scheduler: Scheduler, card: FsrsCard, *, now: datetime) -> float:
    """Probability of recall now, from FSRS."""
    return float(scheduler.get_card_retrievability(card, current_datetime=now))


def is_lapse(card: FsrsCard, rating: Rating) -> bool:
    """An Again on a card in review is a lapse."""
    return card.state == State.Review and rating == Rating.Again


def state_of(card: FsrsCard) -> int:
    """fsrs.State as an int for storage."""
    return int(card.state)


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
