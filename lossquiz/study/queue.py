"""A drill session's queue, as pure logic: what to ask, in which order, what comes back.

Due cards come first (most overdue first, ties by id), then new cards in curriculum
order up to the daily allowance. Cards of one family (MSE/MAE/Huber, CE/focal/label
smoothing, DPO/IPO/KTO/ORPO) are not shown back to back whenever the session's other
cards can go between them (the set of cards is the plan's; only their order moves), and a
failed card returns a few cards later in the same session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from lossquiz.clock import iso
from lossquiz.deck.cards import Card
from lossquiz.numbers import counted
from lossquiz.progress.store import CardRow

LEECH_LAPSES = 8  # Anki's default leech threshold: flagged, suspended only when the user asks
RETRY_GAP = 3  # a failed card comes back after this many other cards
MAX_RETRIES = 2  # ... at most this many times per session


@dataclass(frozen=True, slots=True)
class DrillOptions:
    """What the user asked for."""

    max_cards: int = 20
    new_per_day: int = 10  # the daily limit (config new_per_day)
    session_new: int | None = None  # `--new N`: this session's new cards, whatever the daily count
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
    return plan(cards, rows, now=now, options=options, introduced_today=introduced_today).cards


@dataclass(frozen=True, slots=True)
class Plan:
    """A session's queue and what limited it, so an empty or short session can say why."""

    cards: list[Card]
    due: int  # due cards among the filtered ones
    unseen: int  # never-reviewed cards among the filtered ones
    new: int  # new cards queued
    allowance: int  # new cards this session could introduce
    introduced_today: int
    daily_limit: int
    session_new: int | None
    wanted: tuple[str, ...]  # the ids the filters keep (what "next due" looks at)

    @property
    def stopped_by(self) -> str | None:
        """Which limit kept unseen cards out: 'daily' (new_per_day), 'session' (--new), or None."""
        if self.unseen <= self.new or self.new < self.allowance:
            return None  # every unseen card fits, or --cards (not a new-card limit) cut the session
        return "session" if self.session_new is not None else "daily"

    @property
    def limit_already_reached(self) -> bool:
        """Today's new cards had reached new_per_day before the session: it brings no new card."""
        return self.stopped_by == "daily" and self.allowance == 0


def daily_limit_note(plan: Plan, introduced_today: int) -> str:
    """The line that says new_per_day holds unseen cards back; `introduced_today` can exceed the limit
    (--card and --new introduce past it), hence "12 introduced today, limit 10", never "12 of 10"."""
    more = min(plan.unseen - (introduced_today - plan.introduced_today), 5)
    return (
        f"daily new-card limit reached: {counted(introduced_today, 'new card')} introduced today, "
        f"limit {plan.daily_limit} "
        f"(new_per_day); `lossquiz drill --new {more}` introduces {more} more."
    )


def daily_cut_note(plan: Plan, max_cards: int) -> str | None:
    """The line that says the daily new-card limit made this session shorter than `--cards` asked
    (some new cards are still allowed today), or None when it did not."""
    if plan.stopped_by != "daily" or plan.limit_already_reached or len(plan.cards) >= max_cards:
        return None
    due = len(plan.cards) - plan.new
    more = min(max_cards - due, plan.unseen)
    return (
        f"{counted(len(plan.cards), 'card')}, not {max_cards}: the daily new-card limit leaves "
        f"{counted(plan.allowance, 'new card')} today "
        f"(new_per_day {plan.daily_limit}, {plan.introduced_today} introduced). "
        f"`lossquiz drill --new {more}` introduces more now; raising new_per_day (the config file or "
        f"LOSSQUIZ_NEW_PER_DAY: `lossquiz config` shows which sets it) raises the limit."
    )


def plan(
    cards: Sequence[Card],
    rows: dict[str, CardRow],
    *,
    now: datetime,
    options: DrillOptions,
    introduced_today: int,
) -> Plan:
    """The session's queue with its counts (see `build_queue`)."""
    if not options.run_snippets:
        cards = [c for c in cards if not c.auto_graded]  # they cannot be graded without their snippet
    if options.card_ids:
        by_id = {c.id: c for c in cards}
        chosen = spread([by_id[i] for i in options.card_ids if i in by_id][: options.max_cards])
        ids = tuple(c.id for c in chosen)
        return Plan(chosen, 0, 0, 0, 0, introduced_today, options.new_per_day, options.session_new, ids)
    wanted = [
        c
        for c in cards
        if (not options.topics or c.topic in options.topics)
        and (not options.kinds or c.kind in options.kinds)
        and not (rows.get(c.id) and rows[c.id].suspended)
    ]
    stamp = iso(now)
    seen = [c for c in wanted if rows.get(c.id) and rows[c.id].fsrs_json]
    if not options.cram:
        seen = [c for c in seen if (rows[c.id].due or "") <= stamp]
    seen.sort(key=lambda c: (rows[c.id].due or "", c.id))
    if options.session_new is not None:
        allowance = options.session_new
    else:
        allowance = max(options.new_per_day - (0 if options.cram else introduced_today), 0)
    unseen = [c for c in wanted if not (rows.get(c.id) and rows[c.id].fsrs_json)]
    new = unseen[:allowance]
    chosen = spread((seen + new)[: options.max_cards])
    return Plan(
        chosen,
        due=len(seen),
        unseen=len(unseen),
        new=len([c for c in chosen if c in new]),
        allowance=allowance,
        introduced_today=introduced_today,
        daily_limit=options.new_per_day,
        session_new=options.session_new,
        wanted=tuple(c.id for c in wanted),
    )


def spread(cards: Sequence[Card]) -> list[Card]:
    """Reorder as little as possible so that no two neighbours share a family (or as few as can)."""
    pending = list(cards)
    out: list[Card] = []
    while pending:
        pick = _next(pending, out[-1].family if out else None)
        pending.remove(pick)
        out.append(pick)
    return out


def _next(pending: Sequence[Card], last: str | None) -> Card:
    """The first pending card that keeps the fewest same-family neighbours reachable after `last`.

    Plain "first card of another family" can paint itself into a corner (due x, y then new y gives
    x y y where y x y exists): each candidate is weighed by the neighbours it forces, counted from
    the families left over, and the earliest of the best wins, so an order that already spreads is kept.
    """
    counts = Counter(c.family for c in pending)
    best: Card | None = None
    best_cost = len(pending) + 1
    for card in pending:
        if best is not None and card.family == best.family:
            continue  # the first card of a family stands for all of its family
        counts[card.family] -= 1
        cost = (card.family == last) + _forced(counts, card.family, len(pending) - 1)
        counts[card.family] += 1
        if cost < best_cost:
            best, best_cost = card, cost
            if cost == 0:
                break
    assert best is not None
    return best


def _forced(counts: Counter[str], last: str, n: int) -> int:
    """Fewest same-family neighbours among `n` cards of these family counts, shown right after `last`.

    Alone, a family of m cards among n needs m - 1 others between them: 2m - n - 1 neighbours cannot
    be avoided. After `last`, its family has one card more in front, and any other family has lost
    that front place: its m cards then need m others, not m - 1.
    """
    total = n + 1
    return max(
        [0] + [2 * (count + 1) - total - 1 if family == last else 2 * count - total for family, count in counts.items()]
    )


@dataclass
class Session:
    """The live queue: next card, retries of failed ones, undo, and the time budget."""

    queue: list[Card]
    started: datetime
    minutes: float | None = None
    retries: dict[str, int] = field(default_factory=dict)
    last_family: str | None = None
    out_of_time: bool = False  # the time budget ended the session with cards still queued

    def next_card(self, now: datetime) -> Card | None:
        """The next card, avoiding the family just shown; None when done or out of time."""
        if not self.queue:
            return None
        if self.minutes is not None and now - self.started >= timedelta(minutes=self.minutes):
            self.out_of_time = True
            return None
        pick = _next(self.queue, self.last_family)
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
