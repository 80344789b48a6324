"""A drill session's queue, as pure logic: what to ask, in which order, what comes back.

Due cards come first (most overdue first, ties by id), then new cards in curriculum
order up to the daily allowance. Cards of one family (MSE/MAE/Huber, CE/focal/label
smoothing, DPO/IPO/KTO/ORPO) are not shown back to back, and a failed card returns a
few cards later in the same session.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lossquiz.clock import iso
from lossquiz.deck.cards import Card
from lossquiz.progress.store import CardRow

RETRY_GAP = 3  # a failed card comes back after this many other cards
MAX_RETRIES = 2  # ... at most this many times per session


@dataclass(frozen=True, slots=True)
class DrillOptions:
    """What the user asked for."""

    max_cards: int = 20
    new_per_day: int = 10
    minutes: float | None = None
    time_limit: float = 60.0
    cram: bool = False
    topics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    card_ids: tuple[str, ...] = ()  # drill exactly these (due or not), in this order
    seed: int | None = None
    retention: float = 0.9
    run_snippets: bool = True  # False for an untrusted deck: no snippet runs, auto-graded cards left out


def build_queue(
    cards: Sequence[Card],
    rows: dict[str, CardRow],
    *,
    now: datetime,
    options: DrillOptions,
    introduced_today: int,
) -> list[Card]:
    """The session's cards: due (or, cramming, all seen) first, then new, families spread."""
    if not options.run_snippets:
        cards = [c for c in cards if not c.auto_graded]  # they cannot be graded without their snippet
    if options.card_ids:
        by_id = {c.id: c for c in cards}
        return spread([by_id[i] for i in options.card_ids if i in by_id][: options.max_cards])
    wanted = [
        c
        for c in cards
        if (not options.topics or c.topic in options.topics) and (not options.kinds or c.kind in options.kinds)
    ]
    stamp = iso(now)
    seen = [c for c in wanted if rows.get(c.id) and rows[c.id].fsrs_json]
    if not options.cram:
        seen = [c for c in seen if (rows[c.id].due or "") <= stamp]
    seen.sort(key=lambda c: (rows[c.id].due or "", c.id))
    allowance = max(options.new_per_day - (0 if options.cram else introduced_today), 0)
    new = [c for c in wanted if not (rows.get(c.id) and rows[c.id].fsrs_json)][:allowance]
    return spread((seen + new)[: options.max_cards])


def spread(cards: Sequence[Card]) -> list[Card]:
    """Reorder as little as possible so that no two neighbours share a family."""
    pending = list(cards)
    out: list[Card] = []
    while pending:
        last = out[-1].family if out else None
        pick = next((c for c in pending if c.family != last), pending[0])
        pending.remove(pick)
        out.append(pick)
    return out


@dataclass
class Session:
    """The live queue: next card, retries of failed ones, undo, and the time budget."""

    queue: list[Card]
    started: datetime
    minutes: float | None = None
    retries: dict[str, int] = field(default_factory=dict)
    last_family: str | None = None

    def next_card(self, now: datetime) -> Card | None:
        """The next card, avoiding the family just shown; None when done or out of time."""
        if not self.queue:
            return None
        if self.minutes is not None and now - self.started >= timedelta(minutes=self.minutes):
            return None
        pick = next((c for c in self.queue if c.family != self.last_family), self.queue[0])
        self.queue.remove(pick)
        self.last_family = pick.family
        return pick

    def failed(self, card: Card) -> bool:
        """Bring a failed card back later in the session; False once retries run out."""
        count = self.retries.get(card.id, 0)
        if count >= MAX_RETRIES:
            return False
        self.retries[card.id] = count + 1
        self.queue.insert(min(RETRY_GAP, len(self.queue)), card)
        return True

    def ask_again_first(self, *cards: Card) -> None:
        """Put cards at the front (after an undo, or a skipped current card)."""
        for card in reversed(cards):
            if card in self.queue:
                self.queue.remove(card)
            self.queue.insert(0, card)
        self.last_family = None
