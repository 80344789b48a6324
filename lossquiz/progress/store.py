"""Progress in SQLite: current state per card plus an append-only review log.

Every review is committed in its own IMMEDIATE transaction the moment it is given, so
Ctrl-C, a closed terminal or `kill -9` lose nothing already answered, and two sessions on
one file serialise their writes (WAL, busy timeout, then a bounded retry) instead of losing one.
A file that is not a lossquiz database, is corrupt (fails `PRAGMA quick_check`), or has a
newer schema is refused with one clear line and never written to.

Read-only commands open with `readonly=True`: SQLite's mode=ro, no write lock, no migration
written (an older schema is upgraded in a memory copy), nothing created when there is no
database yet, and on a full disk the file is still read, so the user can rescue their data.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote

from lossquiz.clock import iso
from lossquiz.errors import StorageError
from lossquiz.progress.migrations import APPLICATION_ID, MIGRATIONS, migrate

DB_NAME = "progress.db"
_SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 10  # SQLite waits this long for a lock before reporting SQLITE_BUSY ...
BUSY_RETRIES = 6  # ... and a write then tries again this many times (about a minute in all)
_T = TypeVar("_T")
_CHECKED: set[tuple[str, int, int]] = set()  # (file, size, mtime) that passed quick_check in this process


class CardRow(NamedTuple):
    """A card's stored scheduling state (fsrs_json is None for a new card)."""

    id: int
    slug: str
    fsrs_json: str | None
    due: str | None
    state: int | None
    lapses: int
    suspended: bool = False


class Advance(NamedTuple):
    """What a review does to a card's schedule (computed from the state inside the lock)."""

    fsrs_json: str
    due: str
    state: int
    lapse: bool


class ReviewInput(NamedTuple):
    """One answer as given."""

    slug: str
    rating: int
    reviewed_at: datetime
    duration_ms: int
    session_id: int | None = None
    correct: bool | None = None
    answer: str | None = None
    expected: float | None = None
    cram: bool = False
    mode: str = "drill"  # "drill", or "code" for an implement-it practice check


def _check_file(path: Path) -> None:
    """Refuse anything that is not an SQLite file (before sqlite3 touches it)."""
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as f:
            header = f.read(16)
    except OSError as e:
        raise StorageError(f"cannot read {path}: {e.strerror}") from None
    if header != _SQLITE_HEADER:
        raise StorageError(f"{path} is not a lossquiz database (not SQLite); left untouched")


class Store:
    """The progress database; opening it validates the file and migrates it forward."""

    def __init__(self, path: Path, *, deck: str = "", readonly: bool = False) -> None:
        self.path = path
        self.deck = deck  # cards and reviews are read and written for this deck only (paths.deck_key)
        self.readonly = readonly
        self.exists = path.exists()  # False: no history yet (a read-only open then reads an empty schema)
        if readonly:
            self.conn = self._open_readonly()
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot create the data directory {path.parent}: {e.strerror}") from None
        _check_file(path)
        try:
            self.conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as e:
            raise StorageError(f"cannot open {path}: {e}") from None
        try:
            self._validate()
            self._check_integrity()
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
            self.conn.execute("PRAGMA foreign_keys=ON")
            _retry_busy(lambda: migrate(self.conn))
        except sqlite3.DatabaseError as e:
            self.conn.close()
            raise StorageError(_describe(path, e)) from None
        except StorageError:
            self.conn.close()
            raise

    def _open_readonly(self) -> sqlite3.Connection:
        """mode=ro (no write lock, nothing created); an empty in-memory schema when there is no file."""
        path = self.path
        if not self.exists:
            conn = sqlite3.connect(":memory:", isolation_level=None)
            migrate(conn)
            conn.execute("PRAGMA query_only=1")
            return conn
        _check_file(path)
        uri = "file:" + quote(str(path.absolute()), safe="/") + "?mode=ro"
        try:
            conn = self._connect_readonly(uri)
        except sqlite3.OperationalError as e:
            wal = path.with_name(path.name + "-wal")
            if "disk I/O" not in str(e) and "unable to open" not in str(e):
                raise StorageError(_describe(path, e)) from None
            if wal.exists() and wal.stat().st_size > 0:
                raise StorageError(
                    f"cannot read {path}: {e} (is the disk full? its journal holds recent reviews)"
                ) from None
            # The shared-memory index cannot be created (a full disk, a read-only folder) and no
            # journal holds unmerged reviews: read the file as it is.
            try:
                conn = self._connect_readonly(uri + "&immutable=1")
            except sqlite3.DatabaseError as e2:
                raise StorageError(_describe(path, e2)) from None
        except sqlite3.DatabaseError as e:  # "malformed": a damaged first page, read before anything else
            raise StorageError(_describe(path, e)) from None
        try:
            self.conn = conn
            self._validate()
            if conn.execute("PRAGMA user_version").fetchone()[0] < len(MIGRATIONS):
                memory = sqlite3.connect(":memory:", isolation_level=None)
                conn.backup(memory)  # an older schema: upgraded in a copy, the file is never written
                conn.close()
                conn = memory
                migrate(conn)
            conn.execute("PRAGMA query_only=1")
        except sqlite3.DatabaseError as e:
            conn.close()
            raise StorageError(_describe(path, e)) from None
        except StorageError:
            conn.close()
            raise
        return conn

    @staticmethod
    def _connect_readonly(uri: str) -> sqlite3.Connection:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the first read opens the WAL index
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _check_integrity(self) -> None:
        """Refuse to write into a damaged file: a quick_check that is not 'ok' leaves it untouched.

        It reads the whole file (about 1 s for 400,000 reviews, 40 ms for 10,000), so a process
        checks a file once: reopening it unchanged since (a drill opens twice) is not checked again.
        """
        try:
            stat = self.path.stat()
            key = (str(self.path.resolve()), stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = None
        if key is not None and key in _CHECKED:
            return
        problem = " ".join(str(self.conn.execute("PRAGMA quick_check(1)").fetchone()[0]).replace("*", "").split())
        if problem == "ok" and key is not None:
            _CHECKED.add(key)
        if problem != "ok":
            raise StorageError(
                f"{self.path} is corrupt (integrity check: {problem}); left untouched — "
                "`lossquiz history export` may still rescue what is readable"
            )

    @classmethod
    def open(cls, data_dir: Path, *, deck: str = "", readonly: bool = False) -> Store:
        """The store in a data directory, scoped to one deck's cards (the built-in deck by default).

        `readonly` for commands that only read: no lock taken, nothing created, works on a full disk.
        """
        return cls(data_dir / DB_NAME, deck=deck, readonly=readonly)

    def _validate(self) -> None:
        app_id = self.conn.execute("PRAGMA application_id").fetchone()[0]
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if app_id != APPLICATION_ID and tables:
            raise StorageError(
                f"{self.path} is not a lossquiz database (another program's SQLite file); left untouched"
            )
        if version > len(MIGRATIONS):
            raise StorageError(
                f"{self.path} was written by a newer lossquiz (schema {version}, this one knows {len(MIGRATIONS)}); "
                "upgrade lossquiz — the file was left untouched"
            )

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: committed on exit, rolled back on error."""
        if self.readonly:
            raise StorageError(f"progress database {self.path} was opened read-only")  # a programming error
        try:
            _retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"))
            try:
                yield self.conn
                _retry_busy(lambda: self.conn.execute("COMMIT"))  # a busy COMMIT keeps the transaction open
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as e:
            raise StorageError(_describe(self.path, e)) from None

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[Any]:
        try:
            return self.conn.execute(sql, tuple(params)).fetchall()
        except sqlite3.DatabaseError as e:
            raise StorageError(_describe(self.path, e)) from None

    def query(self, sql: str, params: Sequence[object] | Mapping[str, object] = ()) -> list[Any]:
        """Rows of one read-only query, positional or named parameters (stats, history)."""
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as e:
            raise StorageError(_describe(self.path, e)) from None

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one consistent state, even while a drill writes (WAL)."""
        try:
            self.conn.execute("BEGIN")
            try:
                yield
            finally:
                self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as e:
            raise StorageError(_describe(self.path, e)) from None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE write transaction: all of it is committed, or none of it."""
        with self._write() as conn:
            yield conn

    def sync_cards(self, slugs_hashes: Iterable[tuple[str, str]]) -> None:
        """Make sure every deck card has a row (new cards have no state yet)."""
        rows = list(slugs_hashes)
        known = {r[0] for r in self._read("SELECT slug FROM cards WHERE deck = ?", (self.deck,))}
        missing = [(self.deck, slug, digest) for slug, digest in rows if slug not in known]
        if missing:
            with self._write() as conn:
                conn.executemany("INSERT OR IGNORE INTO cards (deck, slug, content_hash) VALUES (?, ?, ?)", missing)

    def cards(self) -> dict[str, CardRow]:
        """Every stored card by slug."""
        rows = self._read(
            "SELECT id, slug, fsrs_json, due, state, lapses, suspended FROM cards WHERE deck = ?", (self.deck,)
        )
        return {
            str(r[1]): CardRow(int(r[0]), str(r[1]), r[2], r[3], r[4], int(r[5]), suspended=bool(r[6])) for r in rows
        }

    def start_session(self, now: datetime, *, cram: bool) -> int:
        """Open a session row; returns its id."""
        with self._write() as conn:
            cur = conn.execute("INSERT INTO sessions (started_at, cram) VALUES (?, ?)", (iso(now), int(cram)))
            return int(cur.lastrowid or 0)

    def end_session(self, session_id: int, now: datetime) -> None:
        """Close a session row."""
        with self._write() as conn:
            conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (iso(now), session_id))

    def record_review(self, review: ReviewInput, advance: Callable[[CardRow], Advance] | None) -> int:
        """Append one review and (unless cramming) move the card's schedule, atomically.

        `advance` gets the state as stored inside the lock, so two sessions reviewing the
        same card both keep their review and the schedule follows the later one.
        """
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, slug, fsrs_json, due, state, lapses FROM cards WHERE deck = ? AND slug = ?",
                (self.deck, review.slug),
            ).fetchone()
            if row is None:
                raise StorageError(f"card '{review.slug}' is not in the progress database")
            before = CardRow(*row)
            cur = conn.execute(
                """INSERT INTO reviews (card_id, session_id, reviewed_at, rating, correct, answer, expected,
                       duration_ms, cram, mode, prev_fsrs_json, prev_due, prev_state, prev_lapses)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    before.id,
                    review.session_id,
                    iso(review.reviewed_at),
                    review.rating,
                    None if review.correct is None else int(review.correct),
                    _storable(review.answer),
                    review.expected,
                    review.duration_ms,
                    int(review.cram),
                    review.mode,
                    before.fsrs_json,
                    before.due,
                    before.state,
                    before.lapses,
                ),
            )
            if advance is not None and not review.cram:
                after = advance(before)
                conn.execute(
                    "UPDATE cards SET fsrs_json = ?, due = ?, state = ?, lapses = lapses + ? WHERE id = ?",
                    (after.fsrs_json, after.due, after.state, int(after.lapse), before.id),
                )
            return int(cur.lastrowid or 0)

    def undo_last(self, session_id: int) -> str | None:
        """Mark the session's last review undone and restore the card's previous schedule."""
        with self._write() as conn:
            row = conn.execute(
                """SELECT r.id, c.slug, r.cram, r.prev_fsrs_json, r.prev_due, r.prev_state, r.prev_lapses, c.id
                   FROM reviews r JOIN cards c ON c.id = r.card_id
                   WHERE r.session_id = ? AND r.undone = 0 ORDER BY r.id DESC LIMIT 1""",
                (session_id,),
            ).fetchone()
            if row is None:
                return None
            review_id, slug, cram, fsrs_json, due, state, lapses, card_id = row
            conn.execute("UPDATE reviews SET undone = 1 WHERE id = ?", (review_id,))
            if not cram:
                conn.execute(
                    "UPDATE cards SET fsrs_json = ?, due = ?, state = ?, lapses = ? WHERE id = ?",
                    (fsrs_json, due, state, lapses, card_id),
                )
            return str(slug)

    def introduced_since(self, since: datetime) -> int:
        """How many cards had their first (kept, scheduled) review at or after `since`."""
        # Cards reviewed since `since` with no kept review before it: an index range over the reviews
        # since then, not a scan of the whole history (`due` runs in a shell prompt).
        rows = self._read(
            """SELECT count(DISTINCT r.card_id) FROM reviews r JOIN cards c ON c.id = r.card_id
                   WHERE c.deck = ? AND r.reviewed_at >= ? AND r.undone = 0 AND r.cram = 0
                   AND NOT EXISTS (SELECT 1 FROM reviews p WHERE p.card_id = r.card_id
                                   AND p.reviewed_at < ? AND p.undone = 0 AND p.cram = 0)""",
            (self.deck, iso(since), iso(since)),
        )
        return int(rows[0][0])

    def trust_deck(self, path: str, digest: str, files: int, now: datetime) -> None:
        """Record (or renew) trust in a deck's snippets as they are now."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO trusted_decks (path, snippets_hash, files, trusted_at) VALUES (?, ?, ?, ?)",
                (path, digest, files, iso(now)),
            )

    def untrust_deck(self, path: str) -> bool:
        """Forget a trusted deck; False if it was not trusted."""
        with self._write() as conn:
            return conn.execute("DELETE FROM trusted_decks WHERE path = ?", (path,)).rowcount > 0

    def review_counts_by_deck(self) -> dict[str, int]:
        """Reviews per deck key ('' is the built-in deck), for every deck that has any: undone and cram
        ones included, as `history export` of that deck writes (and counts) them."""
        rows = self._read("SELECT c.deck, count(*) FROM reviews r JOIN cards c ON c.id = r.card_id GROUP BY c.deck")
        return {str(deck): int(n) for deck, n in rows}

    def other_decks_reviews(self) -> dict[str, int]:
        """`review_counts_by_deck` of every deck but this one (none when there is no history yet)."""
        if not self.exists:
            return {}
        return {deck: n for deck, n in self.review_counts_by_deck().items() if deck != self.deck}

    def trusted_decks(self) -> list[TrustedDeck]:
        """Every trusted deck, by path."""
        rows = self._read("SELECT path, snippets_hash, files, trusted_at FROM trusted_decks ORDER BY path")
        return [TrustedDeck(*r) for r in rows]

    def setting(self, key: str) -> tuple[str, str] | None:
        """A stored setting as (JSON text, updated_at ISO), or None when unset."""
        rows = self._read("SELECT value, updated_at FROM settings WHERE key = ?", (key,))
        return (str(rows[0][0]), str(rows[0][1])) if rows else None

    def set_setting(self, key: str, value: str, now: datetime) -> None:
        """Store a setting (JSON text), replacing any previous value."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (key, value, iso(now)),
            )

    def delete_setting(self, key: str) -> bool:
        """Forget a setting; True if there was one."""
        with self._write() as conn:
            return conn.execute("DELETE FROM settings WHERE key = ?", (key,)).rowcount > 0

    def review_history(self) -> list[tuple[int, int, str, int]]:
        """Kept, scheduled reviews as (card rowid, rating, reviewed_at ISO, duration_ms), oldest first.

        Undone and cram reviews are left out: they never moved a schedule. Every deck's reviews
        count: the parameters describe the user's memory, not one deck.
        """
        rows = self._read(
            """SELECT card_id, rating, reviewed_at, duration_ms FROM reviews
               WHERE undone = 0 AND cram = 0 ORDER BY reviewed_at, id"""
        )
        return [(int(r[0]), int(r[1]), str(r[2]), int(r[3])) for r in rows]

    def practice_history(self) -> dict[str, PracticeHistory]:
        """Per card, its checked implement-it attempts (reviews with mode 'code')."""
        rows = self._read(
            """SELECT c.slug, count(*), coalesce(max(r.correct), 0), max(r.reviewed_at),
                      (SELECT r2.correct FROM reviews r2 WHERE r2.card_id = c.id AND r2.mode = 'code'
                          AND r2.undone = 0 ORDER BY r2.reviewed_at DESC, r2.id DESC LIMIT 1)
               FROM reviews r JOIN cards c ON c.id = r.card_id
               WHERE c.deck = ? AND r.mode = 'code' AND r.undone = 0 GROUP BY c.id""",
            (self.deck,),
        )
        return {
            str(slug): PracticeHistory(int(n), bool(ever), str(last_at), bool(last))
            for slug, n, ever, last_at, last in rows
        }

    def code_checks_since(self, slug: str, since: datetime) -> list[tuple[bool, str]]:
        """A card's kept implement-it checks at or after `since`, oldest first: (passed, reviewed_at ISO)."""
        rows = self._read(
            """SELECT r.correct, r.reviewed_at FROM reviews r JOIN cards c ON c.id = r.card_id
               WHERE c.deck = ? AND c.slug = ? AND r.mode = 'code' AND r.undone = 0 AND r.reviewed_at >= ?
               ORDER BY r.reviewed_at, r.id""",
            (self.deck, slug, iso(since)),
        )
        return [(bool(correct), str(at)) for correct, at in rows]

    # -- card management (`lossquiz card`, `lossquiz due`) ----------------------------------

    def set_suspended(self, slug: str, suspended: bool) -> bool:
        """Suspend or unsuspend a card (its schedule and history stay); False if it is not stored."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE cards SET suspended = ? WHERE deck = ? AND slug = ?", (int(suspended), self.deck, slug)
            )
            return cur.rowcount > 0

    def reset_card(self, slug: str) -> bool:
        """Restart a card's schedule as new; its review history is kept. False if it is not stored."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE cards SET fsrs_json = NULL, due = NULL, state = NULL, lapses = 0 WHERE deck = ? AND slug = ?",
                (self.deck, slug),
            )
            return cur.rowcount > 0

    def card_reviews(self, slug: str) -> list[tuple[str, int, str, bool, bool, int]]:
        """A card's reviews, oldest first: (reviewed_at, rating, mode, cram, undone, duration_ms)."""
        rows = self._read(
            """SELECT r.reviewed_at, r.rating, r.mode, r.cram, r.undone, r.duration_ms
                 FROM reviews r JOIN cards c ON c.id = r.card_id
                WHERE c.deck = ? AND c.slug = ? ORDER BY r.reviewed_at, r.id""",
            (self.deck, slug),
        )
        return [(str(a), int(b), str(m), bool(c), bool(u), int(d)) for a, b, m, c, u, d in rows]

    def correct_durations(self, slug: str, *, last: int = 10) -> list[int]:
        """The card's last `last` right drill answers' durations (ms), newest first (auto rating)."""
        rows = self._read(
            """SELECT r.duration_ms FROM reviews r JOIN cards c ON c.id = r.card_id
               WHERE c.deck = ? AND c.slug = ? AND r.mode = 'drill' AND r.correct = 1 AND r.undone = 0
               ORDER BY r.reviewed_at DESC, r.id DESC LIMIT ?""",
            (self.deck, slug, last),
        )
        return [int(r[0]) for r in rows]


class TrustedDeck(NamedTuple):
    """A deck the user trusted: its resolved path and the hash of its snippets then."""

    path: str
    snippets_hash: str
    files: int
    trusted_at: str


class PracticeHistory(NamedTuple):
    """A card's checked practice attempts: how many, whether any passed, the latest one."""

    attempts: int
    passed: bool
    last_checked: str
    last_passed: bool


def _is_busy(error: sqlite3.Error) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (int(code) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(error) or "busy" in str(error)


def _retry_busy(step: Callable[[], _T]) -> _T:
    """Run `step`; when SQLite stays busy past its timeout (a long import, a checkpoint), try again.

    Bounded: after BUSY_RETRIES more waits the error goes up (a lock held for over a minute
    is not transient).
    """
    for attempt in range(BUSY_RETRIES + 1):
        try:
            return step()
        except sqlite3.OperationalError as e:
            if not _is_busy(e) or attempt == BUSY_RETRIES:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _describe(path: Path, error: sqlite3.DatabaseError) -> str:
    text = str(error)
    if "not a database" in text or "malformed" in text:
        return f"{path} is corrupt or not a lossquiz database ({text}); left untouched"
    if "readonly" in text or "read-only" in text:
        return f"cannot write progress: {path} is read-only"
    if "disk is full" in text or "disk I/O" in text:
        return f"cannot write progress to {path}: {text}"
    if "locked" in text or "busy" in text:
        return f"{path} stayed locked by another lossquiz for over a minute; try again when it has finished"
    return f"progress database {path}: {text}"


class SessionSummary(NamedTuple):
    """What a session recorded (undone reviews excluded)."""

    reviews: int
    graded: int
    correct: int
    ratings: dict[int, int]
    seconds: float
    due_now: int
    due_today: int  # due before the next study day starts: the same definition as `stats` "due today"
    next_due: str | None


def session_summary(
    store: Store,
    session_id: int | None,
    now: datetime,
    *,
    day_end: datetime | None = None,
    slugs: Collection[str] | None = None,
) -> SessionSummary:
    """Counts for the end-of-session summary, read back from what was committed.

    `day_end` is when the next study day starts; `slugs` the cards the session's filters kept
    (due counts and "next due" look at those only).
    """
    rows = store._read(
        """SELECT rating, correct, duration_ms FROM reviews WHERE session_id = ? AND undone = 0""",
        (session_id if session_id is not None else -1,),
    )
    ratings: dict[int, int] = {}
    for rating, _c, _d in rows:
        ratings[int(rating)] = ratings.get(int(rating), 0) + 1
    graded = [r for r in rows if r[1] is not None]
    horizon = iso(day_end if day_end is not None else now + timedelta(days=1))
    where = "deck = ? AND due IS NOT NULL AND suspended = 0"
    params: list[object] = [store.deck]
    if slugs is not None:
        where += " AND slug IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(list(slugs)))
    due_now = store._read(f"SELECT count(*) FROM cards WHERE {where} AND due <= ?", (*params, iso(now)))
    due_today = store._read(f"SELECT count(*) FROM cards WHERE {where} AND due < ?", (*params, horizon))
    upcoming = store._read(f"SELECT min(due) FROM cards WHERE {where} AND due > ?", (*params, iso(now)))
    return SessionSummary(
        reviews=len(rows),
        graded=len(graded),
        correct=sum(int(r[1]) for r in graded),
        ratings=ratings,
        seconds=sum(int(r[2]) for r in rows) / 1000,
        due_now=int(due_now[0][0]),
        due_today=int(due_today[0][0]),
        next_due=upcoming[0][0] if upcoming and upcoming[0][0] else None,
    )


def _storable(text: str | None) -> str | None:
    """Typed text as valid UTF-8: invalid bytes typed at the prompt (surrogate escapes) become U+FFFD."""
    if text is None:
        return None
    return text.encode("utf-8", "replace").decode("utf-8")
