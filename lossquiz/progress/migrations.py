"""Schema migrations, applied in order on open; the name is the key (as in simonw/llm).

Only append: never edit a migration that has shipped. The database also carries
PRAGMA application_id (so a foreign SQLite file is recognised) and user_version (the
number of migrations applied, so a newer schema is refused rather than downgraded).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

APPLICATION_ID = 0x4C51_5A31  # "LQZ1"


def m001_initial(conn: sqlite3.Connection) -> None:
    """Current state per card, an append-only review log, sessions."""
    _run(
        conn,
        """
        CREATE TABLE cards (
            id INTEGER PRIMARY KEY,
            deck TEXT NOT NULL DEFAULT '',  -- '' for the built-in deck, else the deck folder's resolved path
            slug TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            fsrs_json TEXT,              -- NULL until first reviewed (a new card)
            due TEXT,                    -- ISO-8601 UTC, NULL for new cards
            state INTEGER,               -- fsrs.State, NULL for new cards
            lapses INTEGER NOT NULL DEFAULT 0,
            UNIQUE (deck, slug)          -- progress is keyed on (deck, card id): two decks may share an id
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            cram INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            card_id INTEGER NOT NULL REFERENCES cards(id),
            session_id INTEGER REFERENCES sessions(id),
            reviewed_at TEXT NOT NULL,
            rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            correct INTEGER,             -- 1/0 for auto-graded cards, NULL for self-graded
            answer TEXT,                 -- what the user typed
            expected REAL,               -- the live value an auto-graded answer was checked against
            duration_ms INTEGER NOT NULL,
            cram INTEGER NOT NULL DEFAULT 0,
            undone INTEGER NOT NULL DEFAULT 0,
            prev_fsrs_json TEXT,         -- the state before this review, for undo
            prev_due TEXT,
            prev_state INTEGER,
            prev_lapses INTEGER
        );
        CREATE INDEX reviews_card ON reviews(card_id, reviewed_at);
        CREATE INDEX reviews_time ON reviews(reviewed_at);
        CREATE INDEX cards_due ON cards(due);
        """,
    )


def m002_stats_indexes(conn: sqlite3.Connection) -> None:
    """Covering indexes so `stats` reads 100,000 reviews from indexes alone, not the table."""
    _run(
        conn,
        """
        CREATE INDEX reviews_stats_card ON reviews(card_id, undone, cram, correct, duration_ms);
        CREATE INDEX reviews_stats_time ON reviews(reviewed_at, undone, cram, card_id, rating);
        """,
    )


def m003_review_mode(conn: sqlite3.Connection) -> None:
    """Which activity a review came from: 'drill' (every earlier review) or 'code' (practice)."""
    _run(conn, "ALTER TABLE reviews ADD COLUMN mode TEXT NOT NULL DEFAULT 'drill'")


def m004_trusted_decks(conn: sqlite3.Connection) -> None:
    """Decks whose snippets (code) the user allowed to run, pinned to a hash of their files."""
    _run(
        conn,
        """
        CREATE TABLE trusted_decks (
            path TEXT PRIMARY KEY,       -- the deck folder, resolved
            snippets_hash TEXT NOT NULL, -- sha256 over every file under snippets/ when trusted
            files INTEGER NOT NULL,      -- how many files that was
            trusted_at TEXT NOT NULL     -- ISO-8601 UTC
        );
        """,
    )


def m005_settings(conn: sqlite3.Connection) -> None:
    """User settings as key -> JSON value (fitted FSRS parameters, a chosen retention)."""
    _run(
        conn,
        """
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,         -- JSON
            updated_at TEXT NOT NULL     -- ISO-8601 UTC
        );
        """,
    )


def m006_stats_index_mode(conn: sqlite3.Connection) -> None:
    """Rebuild the per-card covering index with `mode`: stats splits drill answers from practice checks."""
    _run(
        conn,
        """
        DROP INDEX reviews_stats_card;
        CREATE INDEX reviews_stats_card ON reviews(card_id, undone, cram, mode, correct, duration_ms);
        """,
    )


def m007_card_suspended(conn: sqlite3.Connection) -> None:
    """`lossquiz card suspend`: a suspended card is never queued, but keeps its schedule and history."""
    _run(conn, "ALTER TABLE cards ADD COLUMN suspended INTEGER NOT NULL DEFAULT 0")


# Each kept review's share of its card's row in card_totals: (column, expression over the review
# `{r}`). They are the sums `stats` used to compute from every review at each run (undone ones
# never count); tests/test_stats.py recomputes them from the reviews table to check the triggers.
_TOTALS = (
    ("reviews", "1"),
    ("cram", "{r}.cram"),
    ("practice", "{r}.mode = 'code'"),
    ("drill", "{r}.mode = 'drill'"),
    ("drill_ms", "CASE WHEN {r}.mode = 'drill' THEN {r}.duration_ms ELSE 0 END"),
    ("graded", "{r}.mode = 'drill' AND {r}.correct IS NOT NULL"),
    ("correct", "CASE WHEN {r}.mode = 'drill' THEN coalesce({r}.correct, 0) ELSE 0 END"),
)


def _totals_add(row: str) -> str:
    """Statements adding review `row` (NEW) to its card's totals when it is kept."""
    sets = ", ".join(f"{column} = {column} + ({value.format(r=row)})" for column, value in _TOTALS)
    return (
        # No conflict is possible (an INSERT OR REPLACE into reviews would impose its own policy here).
        f"INSERT INTO card_totals (card_id) SELECT {row}.card_id WHERE {row}.undone = 0 "
        f"AND NOT EXISTS (SELECT 1 FROM card_totals WHERE card_id = {row}.card_id); "
        f"UPDATE card_totals SET {sets} WHERE card_id = {row}.card_id AND {row}.undone = 0;"
    )


def _totals_remove(row: str) -> str:
    """The statement taking review `row` (OLD) out of its card's totals when it was kept."""
    sets = ", ".join(f"{column} = {column} - ({value.format(r=row)})" for column, value in _TOTALS)
    return f"UPDATE card_totals SET {sets} WHERE card_id = {row}.card_id AND {row}.undone = 0;"


def m008_card_totals(conn: sqlite3.Connection) -> None:
    """All-time figures per card kept as reviews are written, so `stats` reads a row per card, not every review.

    Triggers follow every write to reviews: an insert (a drill, a practice check, an import), an
    undo (`undone` set), any other change of a column the totals read, a delete; a deleted card
    takes its row along. Filled from the reviews already stored.
    """
    columns = ", ".join(f"{column} INTEGER NOT NULL DEFAULT 0" for column, _ in _TOTALS)
    sums = ", ".join(f"coalesce(sum({value.format(r='reviews')}), 0)" for _, value in _TOTALS)
    watched = "card_id, undone, cram, mode, correct, duration_ms"
    for statement in (
        f"CREATE TABLE card_totals (card_id INTEGER PRIMARY KEY, {columns})",
        f"INSERT INTO card_totals SELECT card_id, {sums} FROM reviews WHERE undone = 0 GROUP BY card_id",
        f"CREATE TRIGGER card_totals_insert AFTER INSERT ON reviews BEGIN {_totals_add('NEW')} END",
        f"CREATE TRIGGER card_totals_update AFTER UPDATE OF {watched} ON reviews "
        f"BEGIN {_totals_remove('OLD')} {_totals_add('NEW')} END",
        f"CREATE TRIGGER card_totals_delete AFTER DELETE ON reviews BEGIN {_totals_remove('OLD')} END",
        "CREATE TRIGGER card_totals_card_delete AFTER DELETE ON cards BEGIN "
        "DELETE FROM card_totals WHERE card_id = OLD.id; END",
    ):
        conn.execute(statement)


def m009_stats_window_indexes(conn: sqlite3.Connection) -> None:
    """Two indexes for `stats` on a long history.

    reviews_card gains the columns true retention reads (undone, cram, rating, prev_state,
    prev_due), so its 30-day window comes from the index alone: reading each review's row was
    a quarter of `stats` on 100,000 reviews. Its (card_id, reviewed_at) prefix still serves
    every query it served. The few undone reviews get an index of their own (a partial one,
    tiny): the heatmap counts each day from the time index and takes them away, instead of
    reading `undone` from every entry of four months.
    """
    _run(
        conn,
        """
        DROP INDEX reviews_card;
        CREATE INDEX reviews_card ON reviews(card_id, reviewed_at, undone, cram, rating, prev_state, prev_due);
        CREATE INDEX reviews_undone_time ON reviews(reviewed_at) WHERE undone = 1;
        """,
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_initial,
    m002_stats_indexes,
    m003_review_mode,
    m004_trusted_decks,
    m005_settings,
    m006_stats_index_mode,
    m007_card_suspended,
    m008_card_totals,
    m009_stats_window_indexes,
]


def _run(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one (executescript would COMMIT the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            conn.execute(statement)


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply pending migrations, each atomically with its bookkeeping; return their names.

    The connection must be in autocommit mode (isolation_level=None): transactions here
    are explicit, so a crash mid-migration leaves the previous schema intact.
    """
    if conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS):
        return []  # up to date: no write lock, so a read never waits behind a long import
    conn.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied = []
    for number, step in enumerate(MIGRATIONS, start=1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (step.__name__,)).fetchone():
                conn.execute("COMMIT")
                continue
            step(conn)
            conn.execute(
                "INSERT INTO _migrations VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (step.__name__,),
            )
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step.__name__)
    return applied
