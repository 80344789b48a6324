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
in one transaction. A card that gains reviews gets its schedule rebuilt by replaying its kept,
non-cram reviews in time order through FSRS. Replay reproduces stability and difficulty
exactly but not the fuzzed due date a drill chose, so when the replayed memory state matches
a stored one (the database's or the file's), that state is kept as it is, due date and all.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from lossquiz import scheduling
from lossquiz.clock import iso
from lossquiz.errors import HistoryError
from lossquiz.storage import Store

FORMAT = "lossquiz-history"
FORMAT_VERSION = 1
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")


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
    cards_added: int
    cards_rebuilt: int

    def to_dict(self) -> dict[str, int]:
        """As `history import --json` prints it."""
        return {
            "reviews_added": self.reviews_added,
            "reviews_present": self.reviews_present,
            "sessions_added": self.sessions_added,
            "cards_added": self.cards_added,
            "cards_rebuilt": self.cards_rebuilt,
        }


# -- export ----------------------------------------------------------------------------------


def _dumps(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n"


def export_lines(store: Store, *, now: datetime) -> Iterator[str]:
    """The whole history as JSON Lines, header first, reviews in time order."""
    sessions = store.query("SELECT id, started_at, ended_at, cram FROM sessions ORDER BY id")
    cards = store.query("SELECT slug, content_hash, fsrs_json, due, state, lapses FROM cards ORDER BY slug")
    reviews = store.query(
        """SELECT c.slug, r.reviewed_at, r.rating, r.correct, r.answer, r.expected, r.duration_ms,
                  r.cram, r.undone, r.session_id
             FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.reviewed_at, r.id"""
    )
    yield _dumps(
        {
            "type": "header",
            "format": FORMAT,
            "version": FORMAT_VERSION,
            "exported_at": iso(now),
            "sessions": len(sessions),
            "cards": len(cards),
            "reviews": len(reviews),
        }
    )
    for sid, started, ended, cram in sessions:
        yield _dumps({"type": "session", "id": sid, "started_at": started, "ended_at": ended, "cram": bool(cram)})
    for slug, content_hash, fsrs_json, due, state, lapses in cards:
        yield _dumps(
            {
                "type": "card",
                "card": slug,
                "content_hash": content_hash,
                "state": state,
                "due": due,
                "lapses": lapses,
                "fsrs": json.loads(fsrs_json) if fsrs_json else None,
            }
        )
    for slug, at, rating, correct, answer, expected, ms, cram, undone, sid in reviews:
        yield _dumps(
            {
                "type": "review",
                "card": slug,
                "reviewed_at": at,
                "rating": rating,
                "correct": None if correct is None else bool(correct),
                "answer": answer,
                "expected": expected,
                "duration_ms": ms,
                "cram": bool(cram),
                "undone": bool(undone),
                "session": sid,
            }
        )


def export_file(store: Store, path: Path, *, now: datetime) -> ExportCounts:
    """Write the history to `path` (atomically: a half-written file never replaces a good one)."""
    tmp = path.with_name(path.name + ".tmp")
    counts: dict[str, int] = {}
    try:
        with tmp.open("w", encoding="utf-8") as f:
            for line in export_lines(store, now=now):
                if not counts:
                    counts = json.loads(line)
                f.write(line)
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise HistoryError(str(path), [f"cannot write: {e.strerror or e}"]) from None
    return ExportCounts(sessions=counts["sessions"], cards=counts["cards"], reviews=counts["reviews"])


# -- parsing and validation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Session:
    id: int
    started_at: str
    ended_at: str | None
    cram: bool


@dataclass(frozen=True, slots=True)
class _Card:
    slug: str
    content_hash: str
    fsrs: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class _Review:
    slug: str
    reviewed_at: str  # normalised with clock.iso, so one instant has one spelling
    rating: int
    correct: bool | None
    answer: str | None
    expected: float | None
    duration_ms: int
    cram: bool
    undone: bool
    session: int | None
    line: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """A validated history file."""

    sessions: tuple[_Session, ...]
    cards: tuple[_Card, ...]
    reviews: tuple[_Review, ...]


class _Line:
    """Field checks for one line; each failure becomes one problem naming the line."""

    def __init__(self, number: int, data: dict[str, Any], problems: list[tuple[int, str]]) -> None:
        self.lineno, self.data, self.problems = number, data, problems
        self.ok = True

    def bad(self, message: str) -> None:
        self.problems.append((self.lineno, message))
        self.ok = False

    def _get(self, name: str, *, optional: bool) -> Any:
        if name not in self.data:
            if not optional:
                self.bad(f"missing '{name}'")
            return None
        return self.data[name]

    def time(self, name: str, *, optional: bool = False) -> str | None:
        value = self._get(name, optional=optional)
        if value is None:
            return None
        if isinstance(value, str) and _CANONICAL_TIME.fullmatch(value):  # as exported: already normalised
            try:
                datetime.fromisoformat(value)
                return value
            except ValueError:
                pass
        moment = _parse_time(value)
        if moment is None:
            self.bad(f"'{name}' must be an ISO-8601 time with a UTC offset, got {value!r}")
            return None
        return iso(moment)

    def integer(self, name: str, *, low: int | None = None, high: int | None = None, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.bad(f"'{name}' must be an integer, got {value!r}")
        elif (low is not None and value < low) or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            self.bad(f"'{name}' must be {span}, got {value}")
        return value

    def boolean(self, name: str, *, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is not None and not isinstance(value, bool):
            self.bad(f"'{name}' must be true or false, got {value!r}")
        return value

    def text(self, name: str, *, optional: bool = False) -> Any:
        value = self._get(name, optional=optional)
        if value is not None and not isinstance(value, str):
            self.bad(f"'{name}' must be text, got {value!r}")
        return value

    def number(self, name: str) -> Any:
        value = self._get(name, optional=True)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
        ):
            self.bad(f"'{name}' must be a finite number, got {value!r}")
            return None
        return None if value is None else float(value)

    def slug(self, name: str) -> Any:
        value = self.text(name)
        if isinstance(value, str) and not _SLUG.match(value):
            self.bad(f"'{name}' must be a card id (lowercase slug), got {value!r}")
        return value


_CANONICAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00")


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc)


def _check_header(first: Any) -> str | None:
    """Why line 1 is not a usable header, or None."""
    if not isinstance(first, dict) or first.get("type") != "header" or first.get("format") != FORMAT:
        return f"not a lossquiz history file (line 1 is not a '{FORMAT}' header)"
    version = first.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        return "line 1: 'version' must be a positive integer"
    if version > FORMAT_VERSION:
        return (
            f"line 1: format version {version} is newer than this lossquiz reads ({FORMAT_VERSION}); upgrade lossquiz"
        )
    return None


def parse(lines: Iterable[str], where: str, *, known: Collection[str] = ()) -> Parsed:
    """Validate a whole history file; raise HistoryError naming every bad line.

    `known` are card ids already stored: a review may refer to them without a card line.
    """
    problems: list[tuple[int, str]] = []
    sessions: dict[int, _Session] = {}
    cards: dict[str, _Card] = {}
    reviews: list[_Review] = []
    refs: list[tuple[int, Any, Any]] = []  # (line, card, session) of every review line
    header_seen = False
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except ValueError as e:
            if not header_seen:
                raise HistoryError(where, [f"not a lossquiz history file (line {number} is not JSON)"]) from None
            problems.append((number, f"not valid JSON ({e})"))
            continue
        if not header_seen:
            header_seen = True
            why = _check_header(data)
            if why:
                raise HistoryError(where, [why])
            continue
        if not isinstance(data, dict):
            problems.append((number, "expected a JSON object"))
            continue
        kind = data.get("type")
        line = _Line(number, data, problems)
        if kind == "session":
            _parse_session(line, sessions)
        elif kind == "card":
            _parse_card(line, cards)
        elif kind == "review":
            review = _parse_review(line)
            if review is not None:
                reviews.append(review)
            refs.append((number, data.get("card"), data.get("session")))
        elif kind == "header":
            line.bad("a second header")
        else:
            line.bad(f"unknown type {kind!r} (expected session, card or review)")
    if not header_seen:
        raise HistoryError(where, ["the file is empty (not a lossquiz history file)"])
    for number, slug, session in refs:  # references may point forward: checked once all is read
        if isinstance(session, int) and not isinstance(session, bool) and session not in sessions:
            problems.append((number, f"review refers to session {session}, which has no session line"))
        if isinstance(slug, str) and _SLUG.match(slug) and slug not in cards and slug not in known:
            problems.append((number, f"review of card '{slug}', which has no card line and is not stored"))
    if problems:
        raise HistoryError(where, [f"line {n}: {message}" for n, message in sorted(problems, key=lambda p: p[0])])
    return Parsed(tuple(sessions.values()), tuple(cards.values()), tuple(reviews))


def _parse_session(line: _Line, sessions: dict[int, _Session]) -> None:
    sid = line.integer("id")
    started = line.time("started_at")
    ended = line.time("ended_at", optional=True)
    cram = line.boolean("cram", optional=True)
    if line.ok and sid in sessions:
        line.bad(f"session {sid} appears twice")
    if line.ok:
        sessions[sid] = _Session(sid, str(started), ended, bool(cram))


def _parse_card(line: _Line, cards: dict[str, _Card]) -> None:
    slug = line.slug("card")
    content_hash = line.text("content_hash", optional=True)
    fsrs = line.data.get("fsrs")
    if fsrs is not None:
        if not isinstance(fsrs, dict):
            line.bad("'fsrs' must be an object (a py-fsrs card) or null")
        else:
            try:
                FsrsCard.from_dict(fsrs)  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError) as e:
                line.bad(f"'fsrs' is not a valid py-fsrs card ({type(e).__name__}: {e})")
    if line.ok and slug in cards:
        line.bad(f"card '{slug}' appears twice")
    if line.ok:
        cards[slug] = _Card(slug, content_hash or "", fsrs)


def _parse_review(line: _Line) -> _Review | None:
    slug = line.slug("card")
    at = line.time("reviewed_at")
    rating = line.integer("rating", low=1, high=4)
    correct = line.boolean("correct", optional=True)
    answer = line.text("answer", optional=True)
    expected = line.number("expected")
    ms = line.integer("duration_ms", low=0)
    cram = line.boolean("cram", optional=True)
    undone = line.boolean("undone", optional=True)
    session = line.integer("session", optional=True)
    if not line.ok:
        return None
    return _Review(slug, str(at), rating, correct, answer, expected, ms, bool(cram), bool(undone), session, line.lineno)


def read_file(path: Path, *, known: Collection[str] = ()) -> Parsed:
    """Read and validate a history file ('-' is stdin)."""
    import sys

    where = "stdin" if str(path) == "-" else str(path)
    try:
        if str(path) == "-":
            return parse(sys.stdin, where, known=known)
        with path.open(encoding="utf-8") as f:
            return parse(f, where, known=known)
    except OSError as e:
        raise HistoryError(where, [f"cannot read: {e.strerror or e}"]) from None
    except UnicodeDecodeError:
        raise HistoryError(where, ["not UTF-8 text (not a lossquiz history file)"]) from None


# -- import ----------------------------------------------------------------------------------


def import_file(store: Store, path: Path, *, retention: float = scheduling.DEFAULT_RETENTION) -> ImportResult:
    """Validate a history file completely, then merge it in one transaction."""
    parsed = read_file(path, known=store.cards().keys())
    return import_history(store, parsed, where="stdin" if str(path) == "-" else str(path), retention=retention)


def import_history(store: Store, parsed: Parsed, *, where: str, retention: float) -> ImportResult:
    """Merge a validated history into the store, in one transaction."""
    scheduler = scheduling.make_scheduler(retention=retention, fuzz=False)
    with store.transaction() as conn:
        ids = {str(slug): int(cid) for cid, slug in conn.execute("SELECT id, slug FROM cards")}
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
            "INSERT INTO cards (slug, content_hash) VALUES (?, ?)", [(c.slug, c.content_hash) for c in new_cards]
        )
        ids = {str(slug): int(cid) for cid, slug in conn.execute("SELECT id, slug FROM cards")}

        session_ids = {str(at): int(sid) for sid, at in conn.execute("SELECT id, started_at FROM sessions")}
        new_sessions = [s for s in parsed.sessions if s.started_at not in session_ids]
        conn.executemany(
            "INSERT INTO sessions (started_at, ended_at, cram) VALUES (?, ?, ?)",
            [(s.started_at, s.ended_at, int(s.cram)) for s in new_sessions],
        )
        session_ids = {str(at): int(sid) for sid, at in conn.execute("SELECT id, started_at FROM sessions")}
        session_map = {s.id: session_ids[s.started_at] for s in parsed.sessions}

        present = set(conn.execute("SELECT card_id, reviewed_at FROM reviews"))
        rows = []
        touched: set[int] = {ids[c.slug] for c in new_cards}
        for r in parsed.reviews:
            key = (ids[r.slug], r.reviewed_at)
            if key in present:
                continue
            present.add(key)
            if not (r.undone or r.cram):
                touched.add(key[0])
            rows.append(
                (
                    key[0],
                    None if r.session is None else session_map[r.session],
                    r.reviewed_at,
                    r.rating,
                    None if r.correct is None else int(r.correct),
                    r.answer,
                    r.expected,
                    r.duration_ms,
                    int(r.cram),
                    int(r.undone),
                )
            )
        conn.executemany(
            """INSERT INTO reviews (card_id, session_id, reviewed_at, rating, correct, answer, expected,
                   duration_ms, cram, undone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            rows,
        )
        file_states = {ids[c.slug]: c.fsrs for c in parsed.cards if c.fsrs is not None}
        rebuilt = _rebuild(conn, scheduler, sorted(touched), file_states)
    return ImportResult(
        reviews_added=len(rows),
        reviews_present=len(parsed.reviews) - len(rows),
        sessions_added=len(new_sessions),
        cards_added=len(new_cards),
        cards_rebuilt=rebuilt,
    )


def _rebuild(conn: Any, scheduler: Scheduler, card_ids: list[int], file_states: dict[int, dict[str, Any]]) -> int:
    """Replay each card's kept, scheduled reviews in time order; store the resulting state."""
    if not card_ids:
        return 0
    logs: dict[int, list[tuple[int, str]]] = {cid: [] for cid in card_ids}
    for cid, rating, at in conn.execute(
        """SELECT card_id, rating, reviewed_at FROM reviews
            WHERE undone = 0 AND cram = 0 AND card_id IN (SELECT value FROM json_each(?))
            ORDER BY card_id, reviewed_at, id""",
        (json.dumps(card_ids),),
    ):
        logs[int(cid)].append((int(rating), str(at)))
    stored = {int(cid): fsrs_json for cid, fsrs_json in conn.execute("SELECT id, fsrs_json FROM cards")}
    updates = []
    for cid in card_ids:
        state, lapses = replay(scheduler, cid, logs[cid])
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
    return len(updates)


def replay(scheduler: Scheduler, card_id: int, log: Iterable[tuple[int, str]]) -> tuple[FsrsCard | None, int]:
    """A card's state and lapse count after these (rating, reviewed_at) reviews, oldest first."""
    card: FsrsCard | None = None
    lapses = 0
    for rating, at in log:
        moment = datetime.fromisoformat(at)
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
