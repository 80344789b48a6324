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

Review = tuple[str, datetime, int, int]  # (card id, when, rating 1-4, duration ms)


def import_reviews(
    store: Store,
    cards: Iterable[tuple[str, str]],
    reviews: Iterable[Review],
    *,
    where: str,
    retention: float = scheduling.DEFAULT_RETENTION,
) -> history.ImportResult:
    """Merge reviews of the given (card id, content hash) cards; importing twice adds nothing twice."""
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
            cram=False,
            undone=False,
            mode="drill",  # answered in Anki as a study review
            session=None,
            prev_state=None,
            prev_due=None,
            line=n,
        )
        for n, (slug, at, rating, ms) in enumerate(sorted(reviews, key=lambda r: (r[1], r[0])), start=1)
    )
    scheduler = scheduling.make_scheduler(retention=retention)
    return history.import_history(store, Parsed((), card_lines, review_lines), where=where, scheduler=scheduler)


def progress_by_card(store: Store, *, now: datetime) -> dict[str, dict[str, object]]:
    """Per card id: its kept, non-cram reviews (when, rating, ms) oldest first, and its FSRS state."""
    out: dict[str, dict[str, object]] = {}
    for line in history.export_lines(store, now=now):
        row = json.loads(line)
        if row["type"] == "card":
            entry = out.setdefault(row["card"], {"reviews": []})
            entry["fsrs"] = row["fsrs"]
        elif row["type"] == "review" and not row["undone"] and not row["cram"]:
            entry = out.setdefault(row["card"], {"reviews": []})
            at = datetime.fromisoformat(row["reviewed_at"])
            entry["reviews"].append((at, int(row["rating"]), int(row["duration_ms"])))  # type: ignore[attr-defined]
    return out
