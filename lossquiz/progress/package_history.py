"""An Anki package's review log in and out of the progress store, through the history module.

In: the reviews become a validated history (`history_format.Parsed`) merged by
`history.import_history`, which replays them through FSRS, so a card answered in Anki has the
same schedule it would have had here. Out: each card's kept reviews and current FSRS state, read
with `history.export_lines`, for the package writer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from lossquiz.clock import iso
from lossquiz.progress import history, scheduling
from lossquiz.progress.history_format import CardLine, Parsed, ReviewLine
from lossquiz.progress.store import Store

Review = tuple[str, datetime, int, int, bool]  # (card id, when, rating 1-4, duration ms, cram)


def import_reviews(
    store: Store,
    cards: Iterable[tuple[str, str]],
    reviews: Iterable[Review],
    *,
    where: str,
    scheduler: scheduling.Scheduler | None = None,
) -> history.ImportResult:
    """Merge reviews of the given (card id, content hash) cards; importing twice adds nothing twice.

    The schedules are replayed with `scheduler` (the one in force; default: the defaults). A cram
    answer is stored as one and replayed into nothing, as `drill --cram` records it.
    """
    card_lines = tuple(
        CardLine(card=slug, content_hash=content_hash, state=None, due=None, lapses=None, suspended=False, fsrs=None)
        for slug, content_hash in cards
    )
    review_lines = tuple(
        ReviewLine(
            card=slug,
            reviewed_at=iso(at),
            rating=rating,
            correct=None,
            answer=None,
            expected=None,
            duration_ms=ms,
            cram=cram,
            undone=False,
            mode="drill",  # answered in Anki as a study review
            session=None,
            prev_state=None,
            prev_due=None,
            line=n,
        )
        for n, (slug, at, rating, ms, cram) in enumerate(sorted(reviews, key=lambda r: (r[1], r[0])), start=1)
    )
    scheduler = scheduler or scheduling.make_scheduler()
    return history.import_history(store, Parsed((), card_lines, review_lines), where=where, scheduler=scheduler)


def progress_by_card(store: Store, *, now: datetime) -> dict[str, dict[str, object]]:
    """Per card id: its kept reviews oldest first, and its FSRS state.

    A review is (when, rating, ms, state before, due before, cram): the state the card was in
    when answered is what Anki's review log records as the review's kind. Undone reviews are left
    out; cram ones are kept, flagged (they moved no schedule, and Anki has a kind for that too).
    """
    out: dict[str, dict[str, object]] = {}
    for line in history.export_lines(store, now=now):
        row = json.loads(line)
        if row["type"] == "card":
            entry = out.setdefault(row["card"], {"reviews": []})
            entry["fsrs"] = row["fsrs"]
        elif row["type"] == "review" and not row["undone"]:
            entry = out.setdefault(row["card"], {"reviews": []})
            at = datetime.fromisoformat(row["reviewed_at"])
            due = datetime.fromisoformat(row["prev_due"]) if row["prev_due"] else None
            kept = (at, int(row["rating"]), int(row["duration_ms"]), row["prev_state"], due, bool(row["cram"]))
            entry["reviews"].append(kept)  # type: ignore[attr-defined]
    return out
