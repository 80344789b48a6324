"""What `lossquiz card info` and `lossquiz due` report: one card's memory, the day's counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lossquiz.clock import iso, local_day_start
from lossquiz.progress.store import CardRow, Store

LEECH_LAPSES = 8  # Anki's default
_RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
_STATES = {None: "new", 0: "new", 1: "learning", 2: "review", 3: "relearning"}


@dataclass(frozen=True, slots=True)
class CardInfo:
    """One card's schedule, memory state and review history."""

    id: str
    title: str
    state: str
    suspended: bool
    leech: bool
    lapses: int
    stability: float | None
    difficulty: float | None
    retrievability: float | None
    due: str | None
    reviews: tuple[tuple[str, int, str, bool, bool, int], ...]
    seen_today: bool = False  # last reviewed this study day: FSRS's recall is 1.0, whatever the answer

    def to_dict(self) -> dict[str, Any]:
        """The `card info --json` object."""
        return {
            "id": self.id,
            "title": self.title,
            "state": self.state,
            "suspended": self.suspended,
            "leech": self.leech,
            "lapses": self.lapses,
            "stability_days": self.stability,
            "difficulty": self.difficulty,
            "retrievability": self.retrievability,
            "due": self.due,
            "reviews": [
                {
                    "reviewed_at": at,
                    "rating": rating,
                    "rating_name": _RATINGS.get(rating, "?"),
                    "mode": mode,
                    "cram": cram,
                    "undone": undone,
                    "duration_ms": ms,
                }
                for at, rating, mode, cram, undone, ms in self.reviews
            ],
        }


def card_info(store: Store, row: CardRow | None, slug: str, title: str, scheduler: Any, now: datetime) -> CardInfo:
    """Everything `card info` shows for one card (a card never reviewed has no memory state)."""
    from lossquiz.progress import scheduling  # py-fsrs: not needed by `due`

    memory = scheduling.load(row.fsrs_json, row.id, now) if row is not None and row.fsrs_json else None
    return CardInfo(
        id=slug,
        title=title,
        state=_STATES.get(row.state if row is not None and row.fsrs_json else None, "new"),
        suspended=bool(row and row.suspended),
        leech=bool(row and row.lapses >= LEECH_LAPSES),
        lapses=row.lapses if row is not None else 0,
        stability=None if memory is None else memory.stability,
        difficulty=None if memory is None else memory.difficulty,
        retrievability=None if memory is None else scheduling.retrievability(scheduler, memory, now=now),
        due=row.due if row is not None and row.fsrs_json else None,
        reviews=tuple(store.card_reviews(slug)),
        seen_today=bool(memory and memory.last_review and not scheduler.elapsed_days(memory.last_review, now)),
    )


@dataclass(frozen=True, slots=True)
class DueLine:
    """`lossquiz due`: what is due now, how many new cards today allows, when the next one comes."""

    due: int
    new_left: int
    introduced_today: int
    next_due: str | None

    def to_dict(self) -> dict[str, Any]:
        """The `due --json` object."""
        return {
            "due": self.due,
            "new_today": self.new_left,
            "introduced_today": self.introduced_today,
            "next_due": self.next_due,
        }


def due_line(store: Store, deck_ids: list[str], *, now: datetime, new_per_day: int, day_start_hour: int) -> DueLine:
    """Counts over the deck's cards (suspended ones left out); reads only the progress database."""
    rows = store.cards()
    active = [rows[i] for i in deck_ids if i in rows and not rows[i].suspended]
    stamp = iso(now)
    due = sum(1 for r in active if r.fsrs_json and r.due and r.due <= stamp)
    upcoming = [r.due for r in active if r.fsrs_json and r.due and r.due > stamp]
    unseen = sum(1 for i in deck_ids if not (i in rows and (rows[i].fsrs_json or rows[i].suspended)))
    introduced = store.introduced_since(local_day_start(now, hour=day_start_hour))
    return DueLine(due, min(max(new_per_day - introduced, 0), unseen), introduced, min(upcoming, default=None))
