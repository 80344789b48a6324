"""A synthetic review history: a learner who forgets faster than FSRS's defaults assume.

Reviews go through the real scheduler (py-fsrs with default parameters, as a drill before
`optimize` would use) and the real Store.record_review, one transaction each. Whether a
review is recalled is drawn from a *different* memory model (FSRS with shorter initial
stabilities and slower growth), so fitting the parameters to this history must move them.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import datetime, timedelta

from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from lossquiz.clock import iso
from lossquiz.progress import scheduling
from lossquiz.progress.store import Advance, CardRow, ReviewInput, Store


def _true_parameters() -> list[float]:
    w = list(DEFAULT_PARAMETERS)
    w[0], w[1], w[2], w[3] = w[0] * 0.5, w[1] * 0.3, w[2] * 0.3, w[3] * 0.3  # first memories are weaker
    w[8] = w[8] * 0.6  # and stability grows more slowly after a success
    return w


def simulate(store: Store, slugs: list[str], *, start: datetime, days: int, seed: int) -> int:
    """Review `slugs` (introduced a few a day) whenever due, for `days`; returns the reviews made."""
    rng = random.Random(seed)
    scheduler = scheduling.make_scheduler(fuzz=False)
    truth = Scheduler(parameters=_true_parameters(), enable_fuzzing=False)
    store.sync_cards((slug, "synthetic") for slug in slugs)
    ids = {slug: row.id for slug, row in store.cards().items()}
    memory = {slug: scheduling.new_card(ids[slug], start) for slug in slugs}
    queue = [(start + timedelta(days=i // 8, minutes=i % 8), slug) for i, slug in enumerate(slugs)]
    heapq.heapify(queue)
    end, count = start + timedelta(days=days), 0
    while queue:
        when, slug = heapq.heappop(queue)
        if when >= end:
            break
        known = memory[slug].last_review is not None
        recall = truth.get_card_retrievability(memory[slug], current_datetime=when) if known else 0.6
        if rng.random() < recall:
            rating = rng.choices([Rating.Hard, Rating.Good, Rating.Easy], weights=[0.15, 0.75, 0.10])[0]
        else:
            rating = Rating.Again
        moved: list[datetime] = []
        review = ReviewInput(slug=slug, rating=int(rating), reviewed_at=when, duration_ms=rng.randint(3000, 30000))
        store.record_review(review, _advance(scheduler, rating, when, moved))
        memory[slug], _ = truth.review_card(memory[slug], rating, review_datetime=when)
        count += 1
        delay = timedelta(minutes=rng.randint(0, 600)) if moved[0] - when >= timedelta(days=1) else timedelta()
        heapq.heappush(queue, (moved[0] + delay, slug))
    return count


def _advance(
    scheduler: Scheduler, rating: Rating, when: datetime, moved: list[datetime]
) -> Callable[[CardRow], Advance]:
    """What the drill does inside record_review: the stored state, reviewed by the real scheduler."""

    def advance(row: CardRow) -> Advance:
        before = scheduling.load(row.fsrs_json, row.id, when)
        after = scheduling.review(scheduler, before, rating, now=when)
        moved.append(after.due)
        return Advance(
            scheduling.dump(after), iso(after.due), scheduling.state_of(after), scheduling.is_lapse(before, rating)
        )

    return advance
