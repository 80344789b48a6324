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
from datetime import datetime, timedelta
from pathlib import Path

from fsrs import Card as FsrsCard
from fsrs import Rating

from lossquiz.clock import iso
from lossquiz.deck.cards import Deck
from lossquiz.deck.kinds import TOPICS
from lossquiz.progress import scheduling
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
