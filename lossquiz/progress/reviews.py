"""Committing one rated review and moving the card's FSRS schedule, for every activity.

The drill and implement-it practice (`lossquiz code CARD --check`) both record through
`record_rated`, so a card's schedule follows whichever way it was last reviewed.
"""

from __future__ import annotations

from datetime import timedelta

from fsrs import Rating

from lossquiz.clock import iso
from lossquiz.progress import scheduling
from lossquiz.progress.scheduling import Scheduler
from lossquiz.progress.store import Advance, CardRow, ReviewInput, Store


def record_rated(store: Store, scheduler: Scheduler, review: ReviewInput) -> timedelta | None:
    """Commit `review` now and advance the card's schedule; returns the new interval (None when cramming).

    The schedule is computed from the state read inside the write lock, so two sessions
    reviewing the same card both keep their review.
    """
    now = review.reviewed_at
    rating = Rating(review.rating)
    moved: list[timedelta] = []

    def advance(row: CardRow) -> Advance:
        before = scheduling.load(row.fsrs_json, row.id, now)
        result = scheduling.outcome(scheduler, before, rating, now=now)
        after = result.card
        moved.append(result.interval)
        return Advance(
            scheduling.dump(after),
            iso(after.due),
            scheduling.state_of(after),
            scheduling.is_lapse(before, rating),
        )

    store.record_review(review, None if review.cram else advance)
    return moved[0] if moved else None
