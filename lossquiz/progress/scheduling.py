"""Pure wrappers over py-fsrs: no I/O, no clock reads; `now` is always passed in.

Two things differ from py-fsrs used as it comes, both so that lossquiz schedules as Anki does:

- **Days are study days.** py-fsrs counts elapsed 24-hour periods; Anki counts local calendar
  days that start at 04:00 (a card answered at 22:00 and again at 08:00 has one day elapsed).
  `review` hands py-fsrs the card with its last review moved to exactly that many days before
  now, so every formula (same-day short-term stability, retrievability) sees Anki's count. A
  review-state card falls due at the start of its due day, as in Anki.
- **Fuzz is Anki's, drawn once.** The fuzz factor comes from the card and its previous review
  (not from global random), so the interval previewed beside a rating is the one recorded, and
  it stays inside Anki's range (`rslib/src/scheduler/states/fuzz.rs`: floor, not round).
"""

from __future__ import annotations

import math
import random
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from fsrs import Card as FsrsCard
from fsrs import Rating, State
from fsrs import Scheduler as FsrsScheduler

from lossquiz.clock import DEFAULT_DAY_START_HOUR, day_of, start_of_day
from lossquiz.clock import format_interval as format_interval  # lives in clock (fsrs-free, for `due`)
from lossquiz.progress.memory import DEFAULT_RETENTION as DEFAULT_RETENTION  # fsrs-free, for `stats`

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


# Anki's fuzz ranges (fuzz.rs FUZZ_RANGES): (from, to, factor) in days
_FUZZ_RANGES = ((2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, math.inf, 0.05))


@dataclass(frozen=True)
class Scheduler:
    """py-fsrs's FSRS maths with Anki's day count and Anki's fuzz (see the module docstring)."""

    fsrs: FsrsScheduler
    fuzz: bool = True
    day_start_hour: int = DEFAULT_DAY_START_HOUR
    tz: tzinfo | None = None  # None: the machine's local time zone

    @property
    def parameters(self) -> list[float]:
        """The 21 FSRS-6 weights in use."""
        return [float(w) for w in self.fsrs.parameters]

    @property
    def retention(self) -> float:
        """The desired retention."""
        return float(self.fsrs.desired_retention)

    def day(self, moment: datetime) -> date:
        """The study day `moment` falls on."""
        return day_of(moment, hour=self.day_start_hour, tz=self.tz)

    def elapsed_days(self, since: datetime, now: datetime) -> int:
        """Study days from `since` to `now` (never negative)."""
        return max((self.day(now) - self.day(since)).days, 0)


def make_scheduler(
    *,
    retention: float = DEFAULT_RETENTION,
    fuzz: bool = True,
    parameters: list[float] | None = None,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
    tz: tzinfo | None = None,
) -> Scheduler:
    """The one place a Scheduler is built."""
    if parameters is not None:
        inner = FsrsScheduler(parameters=parameters, desired_retention=retention, enable_fuzzing=False)
    else:
        inner = FsrsScheduler(desired_retention=retention, enable_fuzzing=False)
    return Scheduler(inner, fuzz=fuzz, day_start_hour=day_start_hour, tz=tz)


def fuzz_bounds(interval: float, maximum: int) -> tuple[int, int]:
    """Anki's fuzz range for an unrounded interval in days (fuzz.rs constrained_fuzz_bounds, minimum 1)."""
    interval = min(max(interval, 1.0), float(maximum))
    if interval < 2.5:
        delta = 0.0
    else:
        delta = 1.0 + sum(f * max(min(interval, end) - start, 0.0) for start, end, f in _FUZZ_RANGES)
    lower = min(max(round(interval - delta), 1), maximum)
    upper = min(max(round(interval + delta), 1), maximum)
    if upper == lower and 2 < upper < maximum:
        upper = lower + 1
    return lower, upper


def fuzz_factor(card: FsrsCard) -> float:
    """A number in [0, 1) fixed by the card and its previous review: one draw per card and review."""
    last = card.last_review.isoformat() if card.last_review else "new"
    return random.Random(f"{card.card_id}:{last}").random()


def _interval_days(scheduler: Scheduler, before: FsrsCard, after: FsrsCard, rounded: int) -> int:
    """The review interval in days: py-fsrs's rounded one, or Anki's fuzz of the unrounded one."""
    if not scheduler.fuzz or after.stability is None:
        return rounded
    inner = scheduler.fsrs
    exact = (after.stability / inner._FACTOR) * (inner.desired_retention ** (1 / inner._DECAY) - 1)
    lower, upper = fuzz_bounds(exact, int(inner.maximum_interval))
    if lower == upper:
        return lower
    return math.floor(lower + fuzz_factor(before) * (1 + upper - lower))


def new_card(card_id: int, now: datetime) -> FsrsCard:
    """A fresh fsrs card (explicit id and due: the defaults sleep and read the clock)."""
    return FsrsCard(card_id=card_id, due=now)


def load(state_json: str | None, card_id: int, now: datetime) -> FsrsCard:
    """A stored state, or a new card when there is none."""
    return FsrsCard.from_json(state_json) if state_json else new_card(card_id, now)


def dump(card: FsrsCard) -> str:
    """Serialise a state for storage."""
    return card.to_json()  # type: ignore[no-any-return]


def _on_study_days(scheduler: Scheduler, card: FsrsCard, now: datetime) -> FsrsCard:
    """The card with its last review moved so py-fsrs's `(now - last_review).days` is the study-day count."""
    if card.last_review is None:
        return card
    shifted = copy(card)
    shifted.last_review = now - timedelta(days=scheduler.elapsed_days(card.last_review, now))
    return shifted


@dataclass(frozen=True, slots=True)
class Outcome:
    """A review's result: the new state and the interval it promises (whole days in review)."""

    card: FsrsCard
    interval: timedelta


def outcome(scheduler: Scheduler, card: FsrsCard, rating: Rating, *, now: datetime) -> Outcome:
    """The state after one review, and its interval (the input card is untouched)."""
    updated, _log = scheduler.fsrs.review_card(_on_study_days(scheduler, card, now), rating, review_datetime=now)
    updated.last_review = now
    if updated.state != State.Review:
        return Outcome(updated, updated.due - now)  # a learning step: minutes from now
    days = _interval_days(scheduler, card, updated, max((updated.due - now).days, 1))
    updated.due = start_of_day(
        scheduler.day(now) + timedelta(days=days), hour=scheduler.day_start_hour, tz=scheduler.tz
    )
    return Outcome(updated, timedelta(days=days))


def review(scheduler: Scheduler, card: FsrsCard, rating: Rating, *, now: datetime) -> FsrsCard:
    """The card after one review."""
    return outcome(scheduler, card, rating, now=now).card


def preview(scheduler: Scheduler, card: FsrsCard, *, now: datetime) -> dict[Rating, timedelta]:
    """The interval each rating would give: exactly what `outcome` records for it."""
    return {r: outcome(scheduler, card, r, now=now).interval for r in Rating}


def retrievability(scheduler: Scheduler, card: FsrsCard, *, now: datetime) -> float:
    """Probability of recall now, from FSRS, counting study days."""
    shifted = _on_study_days(scheduler, card, now)
    return float(scheduler.fsrs.get_card_retrievability(shifted, current_datetime=now))


def is_lapse(card: FsrsCard, rating: Rating) -> bool:
    """An Again on a card in review is a lapse."""
    return card.state == State.Review and rating == Rating.Again


def state_of(card: FsrsCard) -> int:
    """fsrs.State as an int for storage."""
    return int(card.state)
