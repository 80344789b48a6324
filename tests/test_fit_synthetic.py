"""`optimize` learns a learner whose memory is not FSRS's defaults: 10,000 synthetic reviews.

The learner's true memory is FSRS-6 with parameters far from the defaults (weaker first
memories, slower growth, a different forgetting-curve decay). Cards are scheduled as the drill
schedules them (lossquiz's scheduler, default parameters, fuzz on, study days), recall is drawn
from the true model, and the fit must predict those recalls better than the defaults do.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from fsrs import Rating
from fsrs import Scheduler as FsrsScheduler

from lossquiz.progress import fitting, scheduling, settings

pytest.importorskip("fsrs_rs_python")

TRUE_W = [0.5, 1.5, 3.5, 15.0, 6.8, 0.6, 2.5, 0.005, 1.6, 0.2, 0.9, 1.7, 0.08, 0.3, 1.9, 0.5, 2.2, 0.5, 0.1, 0.07, 0.25]


def synthetic_history(n_reviews: int, seed: int) -> fitting.History:
    rng = random.Random(seed)
    ours = scheduling.make_scheduler(fuzz=True, tz=timezone.utc)
    truth = FsrsScheduler(parameters=TRUE_W, enable_fuzzing=False)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    cards: dict[int, list[tuple[int, int]]] = {}
    state: dict[int, tuple[scheduling.FsrsCard, scheduling.FsrsCard]] = {}
    made = training = day = 0
    while made < n_reviews:
        session = start + timedelta(days=day, hours=rng.randint(8, 22))
        day += 1
        if rng.random() < 0.1:
            continue
        for cid in range(len(state), len(state) + 20):  # 20 new cards a day
            state[cid] = (scheduling.new_card(cid, session), scheduling.new_card(cid, session))
        now = session
        queue = [cid for cid, (c, _t) in state.items() if c.due <= now]
        while queue and made < n_reviews:
            cid = queue.pop(0)
            card, true_card = state[cid]
            p = truth.get_card_retrievability(true_card, current_datetime=now) if true_card.last_review else 0.5
            if rng.random() < p:
                rating = rng.choices([Rating.Hard, Rating.Good, Rating.Easy], weights=[15, 75, 10])[0]
            else:
                rating = Rating.Again
            gap = ours.elapsed_days(card.last_review, now) if card.last_review else 0
            cards.setdefault(cid, []).append((int(rating), gap))
            made += 1
            training += gap > 0
            after = scheduling.review(ours, card, rating, now=now)
            true_after, _ = truth.review_card(true_card, rating, review_datetime=now)
            state[cid] = (after, true_after)
            now += timedelta(seconds=20)
            if after.due <= now + timedelta(minutes=30):  # learning steps come back in the session
                queue.append(cid)
                now = max(now, after.due)
    return fitting.History(cards, made, training)


def test_the_fit_beats_the_defaults_on_10000_reviews() -> None:
    history = synthetic_history(10_000, seed=3)
    assert history.reviews == 10_000 and history.training >= fitting.MIN_TRAINING_REVIEWS
    fit = fitting.fit_history(history)
    defaults = settings.default_parameters()
    assert fit.loss_fitted is not None and fit.loss_default is not None
    assert fit.loss_fitted < fit.loss_default
    assert fit.rmse_fitted is not None and fit.rmse_default is not None and fit.rmse_fitted < fit.rmse_default
    assert max(abs(a - b) for a, b in zip(fit.parameters, defaults, strict=True)) > 0.1
    # the fitted parameters are usable by the scheduler as they are
    scheduling.make_scheduler(parameters=list(fit.parameters))
