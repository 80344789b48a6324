"""FSRS-6's forgetting curve and defaults in plain Python, for the readers that schedule nothing.

`stats` shows each card's probability of recall now; importing py-fsrs and building its
Scheduler and Card objects for that cost more than the rest of `stats` on 100,000 reviews.
py-fsrs 6 (fsrs/scheduler.py, `Scheduler.get_card_retrievability`) computes

    R(t, S) = (1 + factor * t / S) ** decay,  decay = -w20,  factor = 0.9 ** (1 / decay) - 1

with t the whole days since the last review; lossquiz hands it study days (scheduling.py), and
so does `retrievability` here. tests/test_memory.py checks both against py-fsrs itself.
"""

from __future__ import annotations

from datetime import datetime

from lossquiz.clock import DEFAULT_DAY_START_HOUR, day_of

DEFAULT_RETENTION = 0.9  # the desired retention drills aim for unless optimize or an option set one
DEFAULT_DECAY = 0.1542  # w20 of py-fsrs's DEFAULT_PARAMETERS (FSRS_DEFAULT_DECAY)
LEARNING, REVIEW, RELEARNING = 1, 2, 3  # fsrs.State


def retrievability(
    stability: float | None,
    last_review: datetime | None,
    *,
    now: datetime,
    decay: float = DEFAULT_DECAY,
    day_start_hour: int = DEFAULT_DAY_START_HOUR,
) -> float:
    """Probability of recall now, counting study days: what scheduling.retrievability returns.

    `decay` is w20 of the parameters in use (positive, as stored); 0.0 for a card never reviewed.
    """
    if last_review is None or stability is None:
        return 0.0
    return recall_after(
        (day_of(now, hour=day_start_hour) - day_of(last_review, hour=day_start_hour)).days, stability, decay
    )


def recall_after(days: int, stability: float, decay: float = DEFAULT_DECAY) -> float:
    """R(t, S): the probability of recall `days` whole study days after the last review."""
    power = -decay
    factor = 0.9 ** (1 / power) - 1
    return float((1 + factor * max(days, 0) / stability) ** power)
