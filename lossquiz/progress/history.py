"""Review history as JSON Lines: export everything, import by merging.

The file is a header line, then one line per session, per card state and per review:

    {"type": "header", "format": "lossquiz-history", "version": 1, "exported_at": ..., ...}
    {"type": "session", "id": 3, "started_at": ..., "ended_at": ..., "cram": false}
    {"type": "card", "card": "huber", "content_hash": ..., "state": 2, "due": ..., "lapses": 0,
     "fsrs": {...py-fsrs Card.to_dict()...}}
    {"type": "review", "card": "huber", "reviewed_at": ..., "rating": 3, "correct": true,
     "answer": "0.25", "expected": 0.25, "duration_ms": 8000, "cram": false, "undone": false,
     "session": 3}

Import is a merge. A review is identified by (card, reviewed_at), so importing a file twice,
or a file that overlaps what is stored, adds nothing twice. The whole file is validated
first; one bad line and nothing is written, and every bad line is named. The writes happen
in transactions of about 5,000 reviews, each holding whole cards (their reviews and rebuilt
schedule), so a drill answering meanwhile is never locked out for long. A card that gains
reviews gets its schedule rebuilt by replaying its kept, non-cram reviews in time order
through FSRS. Replay reproduces stability and difficulty exactly but not the fuzzed due date
a drill chose, so when the replayed memory state matches a stored one (the database's or the
file's), that state is kept as it is, due date and all.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating

from lossquiz.clock import iso
from lossquiz.errors import HistoryError
from lossquiz.progress import scheduling, settings
from lossquiz.progress.history_format import (
    CARD_FIELDS,
    FORMAT,
    FORMAT_VERSION,
    HEADER_FIELDS,
    REVIEW_FIELDS,
    SESSION_FIELDS,
    Field,
    Parsed,
    opened,
    read,
    record,
    to_sql,
)
from lossquiz.progress.scheduling import Scheduler
from lossquiz.progress.store import Store

__all__ = ["FORMAT", "FORMAT_VERSION", "export_file", "export_lines", "import_file", "import_history", "import_parsed"]


@dataclass(frozen=True, slots=True)
class ExportCounts:
    """What an export wrote."""

    sessions: int
    cards: int
    reviews: int


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import changed."""

    reviews_added: int
    reviews_present: int  # already stored (or repeated in the file): skipped
    sessions_added: int
    cards_added: int  # card rows created here (an export lists every card, reviewed or not)
    cards_rebuilt: int
    cards_reviewed: int = 0  # cards that got at least one of the reviews added
    reviewed: frozenset[str] = frozenset()  # the ids of the cards the file has reviews of

    def to_dict(self) -> dict[str, int]:
        """As `history import --json` prints it."""
        return {
            "reviews_added": self.reviews_added,
            "reviews_present": self.reviews_present,
            "sessions_added": self.sessions_added,
            "cards_added": self.cards_added,
            "cards_rebuilt": self.cards_rebuilt,
            "cards_reviewed": self.cards_reviewed,
        }


# -- export ----------------------------------------------------------------------------------


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_lines(store: Store, *, now: datetime, scheduler: Scheduler | None = None) -> Iterator[str]:
    """The whole history as JSON Lines, header first, reviews in time order.

    Every column comes from the record schemas in history_format, which import reads back.
    The header carries the scheduler the card states were computed with, so an import
    replays with the same parameters, retention and day rule.
    """
    # Sessions are not kept per deck: export those this deck's reviews were made in.
    sessions = store.query(
        f"""SELECT {_columns(SESSION_FIELDS)} FROM sessions WHERE id IN
               (SELECT r.session_id FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.deck = :deck)
            ORDER BY id""",
        {"deck": store.deck},
    )
    cards = store.query(
        f"SELECT {_columns(CARD_FIELDS)} FROM cards WHERE deck = :deck ORDER BY slug", {"deck": store.deck}
    )
    reviews = store.query(
        f"""SELECT {_columns(REVIEW_FIELDS)}
             FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.deck = :deck
            ORDER BY r.reviewed_at, r.id""",
        {"deck": store.deck},
    )
    fitted, fitted_at, fitted_on = settings.fsrs_parameters(store)
    stored_retention = settings.desired_retention(store)
    header = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": iso(now),
        "sessions": len(sessions),
        "cards": len(cards),
        "reviews": len(reviews),
        "parameters": fitted,
        "fitted_at": iso(fitted_at) if fitted_at else None,
        "fitted_on_reviews": fitted_on,
        "retention": scheduler.retention if scheduler is not None else stored_retention,
        "retention_stored": stored_retention is not None,
        "day_start_hour": scheduler.day_start_hour if scheduler is not None else None,
        "deck": store.deck,
    }
    yield _dumps(record("header", HEADER_FIELDS, tuple(header[f.key] for f in HEADER_FIELDS)))
    for row in sessions:
        yield _dumps(record("session", SESSION_FIELDS, tuple(row)))
    for row in cards:
        yield _dumps(record("card", CARD_FIELDS, tuple(row)))
    for row in reviews:
        yield _dumps(record("review", REVIEW_FIELDS, tuple(row)))


def _columns(fields: tuple[Field, ...]) -> str:
    return ", ".join(f.expression for f in fields)


def export_file(store: Store, path: Path, *, now: datetime, scheduler: Scheduler | None = None) -> ExportCounts:
    """Write the history to `path` (atomically: a half-written file never replaces a good one)."""
    tmp = path.with_name(path.name + ".tmp")
    counts: dict[str, int] = {}
    try:
        with tmp.open("w", encoding="utf-8") as f:
            for line in export_lines(store, now=now, scheduler=scheduler):
                if not counts:
                    counts = json.loads(line)
                f.write(line)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise HistoryError(str(path), [f"cannot write: {e.strerror or e}"]) from None
    return ExportCounts(sessions=counts["sessions"], cards=counts["cards"], reviews=counts["reviews"])


# -- import ----------------------------------------------------------------------------------


def import_file(store: Store, path: Path, *, scheduler: Scheduler | None = None) -> ImportResult:
    """Validate a history file completely, then merge it (see import_parsed)."""
    with opened(path) as source:
        parsed = read(source, known=store.cards().keys())
    return import_parsed(store, parsed, where=source.where, scheduler=scheduler)


def import_parsed(store: Store, parsed: Parsed, *, where: str, scheduler: Scheduler | None = None) -> ImportResult:
    """Merge a validated history file (in batches; see import_history) and adopt its fitted scheduler."""
    result = import_history(store, parsed, where=where, scheduler=scheduler)
    adopt_settings(store, parsed)
    return result


def adopt_settings(store: Store, parsed: Parsed) -> bool:
    """A store that was never fitted takes the file's fitted parameters (and chosen retention).

    So a history moved to a fresh data directory schedules, and reports, as it did where it came
    from. A store with its own fit keeps it. True if anything was adopted.
    """
    header = parsed.header
    if header is None or header.parameters is None or settings.fsrs_parameters(store)[0] is not None:
        return False
    when = next(
        (datetime.fromisoformat(t) for t in (header.fitted_at, header.exported_at) if t),
        datetime.fromtimestamp(0, timezone.utc),
    )
    settings.save_fsrs_parameters(store, list(header.parameters), n_reviews=header.fitted_on_reviews or 0, now=when)
    if header.retention_stored and header.retention is not None and settings.desired_retention(store) is None:
        settings.save_desired_retention(store, header.retention, when)
    return True


def replay_scheduler(parsed: Parsed, fallback: Scheduler | None) -> Scheduler:
    """What rebuilt schedules are computed with: the file's own scheduler when its header names one.

    The file's card states were computed with it, so replaying with it reproduces them; a file
    without one (older lossquiz) replays with `fallback`, the scheduler in use here.
    """
    base = fallback or scheduling.make_scheduler()
    header = parsed.header
    if header is None or header.parameters is None:
        return scheduling.make_scheduler(
            retention=base.retention, parameters=base.parameters, day_start_hour=base.day_start_hour, fuzz=base.fuzz
        )
    return scheduling.make_scheduler(
        retention=header.retention if header.retention is not None else base.retention,
        parameters=list(header.parameters),
        day_start_hour=header.day_start_hour if header.day_start_hour is not None else base.day_start_hour,
        fuzz=base.fuzz,
        tz=base.tz,
    )


IMPORT_BATCH = 5_000  # reviews per write transaction: a drill answering meanwhile waits at most one batch


def import_history(store: Store, parsed: Parsed, *, where: str, scheduler: Scheduler | None = None) -> ImportResult:
    """Merge a validated history into the store, in batches of about IMPORT_BATCH reviews.

    Each batch is one transaction holding whole cards: their new reviews and their rebuilt
    schedules commit together, so a drill answering while a large import runs waits for one
    batch at most (never the whole import), and an interrupted import leaves every card either
    untouched or complete; running it again finishes it (reviews already stored are skipped).
    """
    scheduler = replay_scheduler(parsed, scheduler)
    with store.transaction() as conn:
        ids = {
            str(slug): int(cid)
            for cid, slug in conn.execute("SELECT id, slug FROM cards WHERE deck = ?", (store.deck,))
        }
        in_file = {c.slug for c in parsed.cards}
        unknown = [  # parse() checked this already; a card can vanish only between then and now
            f"line {r.line}: review of card '{r.slug}', which has no card line and is not stored"
            for r in parsed.reviews
            if r.slug not in ids and r.slug not in in_file
        ]
        if unknown:
            raise HistoryError(where, unknown)
        new_cards = [c for c in parsed.cards if c.slug not in ids]
        conn.executemany(
            "INSERT INTO cards (deck, slug, content_hash) VALUES (?, ?, ?)",
            [(store.deck, c.slug, c.content_hash or "") for c in new_cards],
        )
        ids = {
            str(slug): int(cid)
            for cid, slug in conn.execute("SELECT id, slug FROM cards WHERE deck = ?", (store.deck,))
        }

        session_ids = {str(at): int(sid) for sid, at in conn.execute("SELECT id, started_at FROM sessions")}
        new_sessions = [s for s in parsed.sessions if s.started_at not in session_ids]
        kept = [f for f in SESSION_FIELDS if f.key != "id"]  # a session gets a new id here
        conn.executemany(
            f"INSERT INTO sessions ({', '.join(f.column for f in kept)}) VALUES ({', '.join('?' for _ in kept)})",
            [tuple(to_sql(f, getattr(s, f.key)) for f in kept) for s in new_sessions],
        )
        session_ids = {str(at): int(sid) for sid, at in conn.execute("SELECT id, started_at FROM sessions")}
        session_map = {s.id: session_ids[s.started_at] for s in parsed.sessions}
        present = set(conn.execute("SELECT card_id, reviewed_at FROM reviews"))
        for c in parsed.cards:  # a card suspended in the file is suspended here (never the other way)
            if c.suspended:
                conn.execute("UPDATE cards SET suspended = 1 WHERE id = ?", (ids[c.slug],))

    rows: dict[int, list[tuple[Any, ...]]] = {}  # per card, its new reviews
    touched: set[int] = {ids[c.slug] for c in new_cards}
    for r in parsed.reviews:
        key = (ids[r.slug], r.reviewed_at)
        if key in present:
            continue
        present.add(key)
        if not (r.undone or r.cram):
            touched.add(key[0])
        mapped = {"card": key[0], "session": None if r.session is None else session_map[r.session]}
        rows.setdefault(key[0], []).append(
            tuple(mapped[f.key] if f.key in mapped else to_sql(f, getattr(r, f.key)) for f in REVIEW_FIELDS)
        )
    file_states = {ids[c.slug]: c.fsrs for c in parsed.cards if c.fsrs is not None}
    file_logs: dict[int, list[str]] = {}
    for r in parsed.reviews:
        if not (r.undone or r.cram):
            file_logs.setdefault(ids[r.slug], []).append(r.reviewed_at)
    complete = {  # the file's state already accounts for every kept review the card now has
        ids[c.slug]: (c.fsrs, c.lapses) for c in parsed.cards if c.fsrs is not None and c.lapses is not None
    }
    # a card line with no schedule after its reviews: `card reset` made it new again
    unscheduled = {ids[c.slug]: c.lapses for c in parsed.cards if c.fsrs is None and c.lapses is not None}
    insert = (
        f"INSERT INTO reviews ({', '.join(f.column for f in REVIEW_FIELDS)}) "
        f"VALUES ({', '.join('?' for _ in REVIEW_FIELDS)})"
    )
    rebuilt = 0
    for batch in _batches(sorted(set(rows) | touched), rows):
        with store.transaction() as conn:
            for _cid, chunk, _last in batch:
                conn.executemany(insert, chunk)
            ready = [cid for cid, _chunk, last in batch if last and cid in touched]  # with its last rows
            rebuilt += _rebuild(conn, scheduler, ready, file_states, complete, file_logs, unscheduled)
    return ImportResult(
        reviews_added=sum(len(r) for r in rows.values()),
        reviews_present=len(parsed.reviews) - sum(len(r) for r in rows.values()),
        sessions_added=len(new_sessions),
        cards_added=len(new_cards),
        cards_rebuilt=rebuilt,
        cards_reviewed=len(rows),
        reviewed=frozenset(r.slug for r in parsed.reviews),
    )


def _batches(
    card_ids: list[int], rows: dict[int, list[tuple[Any, ...]]]
) -> Iterator[list[tuple[int, list[tuple[Any, ...]], bool]]]:
    """Group cards' new reviews into transactions of about IMPORT_BATCH rows: (card, rows, last part).

    A card's reviews stay together where they fit; one with more is split over several
    transactions, and its schedule is rebuilt in the one holding its last part.
    """
    batch: list[tuple[int, list[tuple[Any, ...]], bool]] = []
    size = 0
    for cid in card_ids:
        mine = rows.get(cid, [])
        parts = [mine[i : i + IMPORT_BATCH] for i in range(0, len(mine), IMPORT_BATCH)] or [[]]
        for n, part in enumerate(parts):
            if batch and size + len(part) > IMPORT_BATCH:
                yield batch
                batch, size = [], 0
            batch.append((cid, part, n == len(parts) - 1))
            size += len(part)
    if batch:
        yield batch


def _rebuild(
    conn: Any,
    scheduler: Scheduler,
    card_ids: list[int],
    file_states: dict[int, dict[str, Any]],
    complete: dict[int, tuple[dict[str, Any], int]] | None = None,
    file_logs: dict[int, list[str]] | None = None,
    unscheduled: dict[int, int] | None = None,
) -> int:
    """Replay each card's kept, scheduled reviews in time order; store the resulting state.

    A card whose kept reviews are exactly the file's for it takes the file's state as it is:
    that state was computed as the reviews happened, perhaps with parameters fitted midway,
    which no single replay can reproduce — and a card the file has as new (reset after those
    reviews) stays new.
    """
    complete, file_logs, unscheduled = complete or {}, file_logs or {}, unscheduled or {}
    if not card_ids:
        return 0
    logs: dict[int, list[tuple[int, str]]] = {cid: [] for cid in card_ids}
    review_ids: dict[int, list[tuple[int, bool]]] = {cid: [] for cid in card_ids}
    for rid, cid, rating, at, known in conn.execute(
        """SELECT id, card_id, rating, reviewed_at, prev_state IS NOT NULL FROM reviews
            WHERE undone = 0 AND cram = 0 AND card_id IN (SELECT value FROM json_each(?))
            ORDER BY card_id, reviewed_at, id""",
        (json.dumps(card_ids),),
    ):
        logs[int(cid)].append((int(rating), str(at)))
        review_ids[int(cid)].append((int(rid), bool(known)))
    befores: list[tuple[Any, ...]] = []
    stored = {
        int(cid): fsrs_json
        for cid, fsrs_json in conn.execute(
            "SELECT id, fsrs_json FROM cards WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(card_ids),)
        )
    }
    updates = []
    for cid in card_ids:
        trail: list[FsrsCard | None] = []
        state, lapses = replay(scheduler, cid, logs[cid], trail)
        last = complete[cid][0].get("last_review") if cid in complete else None
        cutoff = datetime.fromisoformat(last) if isinstance(last, str) else None
        known = sorted(t for t in file_logs.get(cid, []) if cutoff and datetime.fromisoformat(t) <= cutoff)
        if cid in complete and known and [at for _r, at in logs[cid][: len(known)]] == known:
            # the file's state covers the card's first reviews: go on from it, as a drill would have
            kept, lapses = complete[cid]
            state = FsrsCard.from_dict({**kept, "card_id": cid})  # type: ignore[typeddict-item]
            for rating, at in logs[cid][len(known) :]:
                lapses += scheduling.is_lapse(state, Rating(rating))
                state = scheduling.review(scheduler, state, Rating(rating), now=datetime.fromisoformat(at))
        if cid in unscheduled and [at for _r, at in logs[cid]] == sorted(file_logs.get(cid, [])):
            state, lapses = None, unscheduled[cid]  # the reviews are the file's, and the file says new since
        for (rid, known), before in zip(review_ids[cid], trail, strict=True):
            if not known and before is not None:  # a file without the schedule-before: as the replay saw it
                befores.append((scheduling.state_of(before), iso(before.due), rid))
        if state is not None:
            candidates = [FsrsCard.from_json(stored[cid])] if stored.get(cid) else []
            if cid in file_states:
                candidates.append(FsrsCard.from_dict({**file_states[cid], "card_id": cid}))  # type: ignore[typeddict-item]
            state = next((c for c in candidates if same_memory(c, state)), state)
        updates.append(
            (
                None if state is None else scheduling.dump(state),
                None if state is None else iso(state.due),
                None if state is None else scheduling.state_of(state),
                lapses,
                cid,
            )
        )
    conn.executemany("UPDATE cards SET fsrs_json = ?, due = ?, state = ?, lapses = ? WHERE id = ?", updates)
    conn.executemany("UPDATE reviews SET prev_state = ?, prev_due = ? WHERE id = ?", befores)
    return len(updates)


def replay(
    scheduler: Scheduler,
    card_id: int,
    log: Iterable[tuple[int, str]],
    trail: list[FsrsCard | None] | None = None,
) -> tuple[FsrsCard | None, int]:
    """A card's state and lapse count after these (rating, reviewed_at) reviews, oldest first.

    `trail`, when given, receives the state before each review (None before the first).
    """
    card: FsrsCard | None = None
    lapses = 0
    for rating, at in log:
        moment = datetime.fromisoformat(at)
        if trail is not None:
            trail.append(card)
        if card is None:
            card = scheduling.new_card(card_id, moment)
        lapses += scheduling.is_lapse(card, Rating(rating))
        card = scheduling.review(scheduler, card, Rating(rating), now=moment)
    return card, lapses


def same_memory(a: FsrsCard, b: FsrsCard) -> bool:
    """Same FSRS memory state (everything but the due date, which fuzz and retention move)."""

    def close(x: float | None, y: float | None) -> bool:
        return x == y or (x is not None and y is not None and math.isclose(x, y, rel_tol=1e-9))

    return (
        a.state == b.state
        and a.step == b.step
        and a.last_review == b.last_review
        and close(a.stability, b.stability)
        and close(a.difficulty, b.difficulty)
    )
