"""Synthetic decks and review histories, for benchmarks and tests (`stats` on 100,000 reviews).

The history is simulated, not random noise: reviews run in time order through the real
scheduler (fuzz off), a card is recalled with its FSRS probability of recall, and the
stored states are what those reviews produce, so `history import` replays them to the same
states. Seeded and given `now`, so the same call always writes the same history.
"""

from __future__ import annotations

import heapq
import random
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating
from fsrs import Scheduler as FsrsScheduler

from lossquiz.clock import iso
from lossquiz.deck.cards import Deck
from lossquiz.deck.kinds import TOPICS
from lossquiz.progress import fitting, scheduling
from lossquiz.progress.store import Store

MAX_DAYS = 365
CRAM_SHARE = 0.02
UNDONE_SHARE = 0.01
SKIP_DAY_SHARE = 0.15  # days without any review, so streaks end somewhere
STREAK_DAYS = 7  # ... except the last week, which is always active


@dataclass(frozen=True, slots=True)
class SyntheticHistory:
    """What generate_history wrote."""

    reviews: int
    sessions: int
    first: datetime
    last: datetime


def generate_history(store: Store, deck: Deck, n: int, *, seed: int, now: datetime) -> SyntheticHistory:
    """Write `n` reviews of the deck's cards, spread over up to a year before `now`, in one transaction."""
    rng = random.Random(seed)
    scheduler = scheduling.make_scheduler(fuzz=False)
    store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
    ids = {slug: row.id for slug, row in store.cards().items()}
    cards = list(deck.cards)
    by_id = {c.id: c for c in cards}

    days = max(1, min(MAX_DAYS, n // 20 or 1))
    active = [d for d in range(days) if d < STREAK_DAYS or rng.random() >= SKIP_DAY_SHARE]
    per_day = [0] * len(active)
    for _ in range(n):
        per_day[rng.randrange(len(active))] += 1

    states: dict[str, FsrsCard] = {}
    lapses: dict[str, int] = {}
    due: list[tuple[datetime, str]] = []  # heap of (due, card id) over seen cards
    unseen = [c.id for c in reversed(cards)]  # pop() gives curriculum order
    sessions: list[tuple[str, str, int]] = []
    reviews: list[tuple[int, int, str, int, int | None, int, int, int, int | None, str | None]] = []
    for day, count in sorted(zip(active, per_day, strict=True), reverse=True):  # oldest day first
        if not count:
            continue
        start = now - timedelta(days=day + 1) + timedelta(minutes=1)
        span = (now - timedelta(days=day) - start).total_seconds() - 60
        times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
        sessions.append((iso(times[0]), iso(times[-1]), 0))
        for at in times:
            cram = bool(states) and rng.random() < CRAM_SHARE
            undone = rng.random() < UNDONE_SHARE
            # Like a drill: the most overdue card, else a new one, else review ahead.
            if cram:
                slug = rng.choice(sorted(states))
            elif due and (due[0][0] <= at or not unseen):
                slug = heapq.heappop(due)[1]
            else:
                slug = unseen.pop()
            card = by_id[slug]
            before = states.get(slug)
            p = 0.6 if before is None else scheduling.retrievability(scheduler, before, now=at)
            rating = _rating(rng, p)
            if not (cram or undone):
                state = before or scheduling.new_card(ids[slug], at)
                lapses[slug] = lapses.get(slug, 0) + scheduling.is_lapse(state, rating)
                states[slug] = scheduling.review(scheduler, state, rating, now=at)
            if not cram:
                after = states.get(slug)
                if after is None:
                    unseen.append(slug)  # an undone first review: still new
                else:
                    heapq.heappush(due, (after.due, slug))
            correct = int(rating > Rating.Again) if card.auto_graded else None
            ms = int(rng.lognormvariate(9.6, 0.6))  # median ~15 s
            prev = (None, None) if before is None else (scheduling.state_of(before), iso(before.due))
            reviews.append((ids[slug], len(sessions), iso(at), int(rating), correct, ms, int(cram), int(undone), *prev))

    with store.transaction() as conn:
        base = int(conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()[0])
        conn.executemany(
            "INSERT INTO sessions (id, started_at, ended_at, cram) VALUES (?, ?, ?, ?)",
            [(base + i + 1, *s) for i, s in enumerate(sessions)],
        )
        conn.executemany(
            """INSERT INTO reviews (card_id, session_id, reviewed_at, rating, correct, duration_ms, cram, undone,
                   prev_state, prev_due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(r[0], base + r[1], *r[2:]) for r in reviews],
        )
        conn.executemany(
            "UPDATE cards SET fsrs_json = ?, due = ?, state = ?, lapses = ? WHERE deck = ? AND slug = ?",
            [
                (scheduling.dump(s), iso(s.due), scheduling.state_of(s), lapses.get(slug, 0), store.deck, slug)
                for slug, s in states.items()
            ],
        )
    first = min((r[2] for r in reviews), default=iso(now))
    last = max((r[2] for r in reviews), default=iso(now))
    return SyntheticHistory(len(reviews), len(sessions), datetime.fromisoformat(first), datetime.fromisoformat(last))


def _rating(rng: random.Random, recall: float) -> Rating:
    """Again with the chance of forgetting; otherwise mostly Good."""
    if rng.random() >= recall:
        return Rating.Again
    roll = rng.random()
    return Rating.Hard if roll < 0.15 else Rating.Easy if roll > 0.85 else Rating.Good


# Indented in the source so no line of it reads as a module-level import of torch here.
_SNIPPET = textwrap.dedent(
    '''\
    """Synthetic snippet: mean squared error."""

    import random

    import torch
    import torch.nn.functional as F

    REFERENCE = "torch.nn.functional.mse_loss"


    def example():
        return {"y": torch.tensor([1.0, 2.0]), "y_hat": torch.tensor([0.0, 4.0])}


    def problem(rng: random.Random):
        return {"y": torch.tensor([float(rng.randint(0, 3))]), "y_hat": torch.tensor([float(rng.randint(0, 3))])}


    def loss(y, y_hat):
        residual = y - y_hat
        return {"residual": residual, "value": (residual**2).mean()}


    def reference(y, y_hat):
        return F.mse_loss(y_hat, y)
'''
)


def write_deck(root: Path, n_cards: int, *, seed: int = 0) -> Path:
    """A valid deck of `n_cards` cards over every topic (a quarter numeric) under `root`."""
    rng = random.Random(seed)
    (root / "cards").mkdir(parents=True, exist_ok=True)
    (root / "snippets").mkdir(parents=True, exist_ok=True)
    (root / "snippets" / "synthetic.py").write_text(_SNIPPET, encoding="utf-8")
    per_topic: dict[str, list[str]] = {t: [] for t in TOPICS}
    for i in range(n_cards):
        topic = TOPICS[i % len(TOPICS)]
        kind = "numeric" if rng.random() < 0.25 else rng.choice(("concept", "quickfire"))
        extra = "  snippet: synthetic\n" if kind == "numeric" else ""
        per_topic[topic].append(
            f"- id: synthetic-{i:05d}\n  title: Synthetic card {i}\n  topic: {topic}\n  kind: {kind}\n"
            f"  question: What is synthetic quantity {i}?\n  answer: It is {i}.\n"
            f"  key_points: [first point of {i}, second point of {i}]\n{extra}  source: synthetic\n"
        )
    for number, topic in enumerate(TOPICS, start=1):
        if per_topic[topic]:
            (root / "cards" / f"{number:02d}-{topic}.yaml").write_text("\n".join(per_topic[topic]), encoding="utf-8")
    return root


LEARNER_PARAMETERS = [
    0.5,
    1.5,
    3.5,
    15.0,
    6.8,
    0.6,
    2.5,
    0.005,
    1.6,
    0.2,
    0.9,
    1.7,
    0.08,
    0.3,
    1.9,
    0.5,
    2.2,
    0.5,
    0.1,
    0.07,
    0.25,
]


def learner_history(n_reviews: int, *, seed: int) -> fitting.History:
    """A learner whose true memory is FSRS-6 with LEARNER_PARAMETERS, drilled as lossquiz schedules.

    20 new cards a day, one session a day at a random hour, 10% of days skipped; recall is
    drawn from the true model (Hard 15%, Good 75%, Easy 10% when recalled). For `optimize`'s
    test and benchmark: a fit must move towards the truth and predict better than the defaults.
    """
    rng = random.Random(seed)
    ours = scheduling.make_scheduler(fuzz=True, tz=timezone.utc)
    truth = FsrsScheduler(parameters=LEARNER_PARAMETERS, enable_fuzzing=False)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    cards: dict[int, list[tuple[int, int]]] = {}
    state: dict[int, tuple[FsrsCard, FsrsCard]] = {}
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
