"""The progress database: schema, migrations, refusal of foreign/corrupt/newer files, undo."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lossquiz.errors import StorageError
from lossquiz.progress.migrations import APPLICATION_ID, MIGRATIONS, migrate
from lossquiz.progress.store import Advance, CardRow, ReviewInput, Store

NOW = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrate_blank_database_then_nothing_more() -> None:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    assert migrate(conn) == [m.__name__ for m in MIGRATIONS]
    assert {"cards", "reviews", "sessions", "_migrations"} <= _tables(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert migrate(conn) == []


def test_store_creates_file_in_wal_mode(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert (tmp_path / "data" / "progress.db").is_file()


def _refused(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(StorageError, match=match):
        Store(path)
    assert path.read_bytes() == before, "the file must be left untouched"


def test_garbage_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    path.write_bytes(b"this is my thesis draft, not a database\n" * 100)
    _refused(path, "not a lossquiz database")


def test_foreign_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.commit()
    conn.close()
    _refused(path, "another program's SQLite file")


def test_corrupt_lossquiz_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # keep the header, wreck the schema page
    path.write_bytes(bytes(data))
    _refused(path, "corrupt or not a lossquiz database")


def test_newer_schema_is_refused_not_downgraded(tmp_path: Path) -> None:
    path = tmp_path / "progress.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.commit()
    conn.close()
    _refused(path, "written by a newer lossquiz")


def _advance(row: CardRow) -> Advance:
    return Advance(fsrs_json=f'{{"n": {row.lapses}}}', due="2025-01-02T00:00:00.000000+00:00", state=2, lapse=False)


def test_record_review_then_undo_restores_schedule(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.sync_cards([("huber", "h1"), ("mse", "h2")])
        session = store.start_session(NOW, cram=False)
        store.record_review(ReviewInput("huber", 3, NOW, 1500, session_id=session), _advance)
        assert store.cards()["huber"].due == "2025-01-02T00:00:00.000000+00:00"
        assert store.undo_last(session) == "huber"
        assert store.cards()["huber"].fsrs_json is None  # new again
        kept = store.conn.execute("SELECT undone FROM reviews").fetchall()
        assert kept == [(1,)], "the undone review is kept, marked undone"
        assert store.undo_last(session) is None


def test_cram_review_leaves_schedule_untouched(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.sync_cards([("huber", "h1")])
        store.record_review(ReviewInput("huber", 4, NOW, 900, cram=True), _advance)
        assert store.cards()["huber"].fsrs_json is None
        assert store.conn.execute("SELECT cram, rating FROM reviews").fetchall() == [(1, 4)]


def test_introduced_since_counts_first_reviews(tmp_path: Path) -> None:
    with Store(tmp_path / "p.db") as store:
        store.sync_cards([("a", "1"), ("b", "2")])
        store.record_review(ReviewInput("a", 3, NOW - timedelta(days=1), 1000), _advance)
        store.record_review(ReviewInput("a", 3, NOW, 1000), _advance)
        store.record_review(ReviewInput("b", 3, NOW, 1000), _advance)
        assert store.introduced_since(NOW - timedelta(hours=1)) == 1


def test_unusable_data_directory_is_one_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    with pytest.raises(StorageError, match="cannot create the data directory"):
        Store.open(blocker / "lossquiz")


def test_upgrade_from_schema_1_applies_every_later_migration_and_keeps_reviews(tmp_path: Path) -> None:
    from lossquiz.progress.migrations import m001_initial

    path = tmp_path / "progress.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    m001_initial(conn)  # a database from before m003, with one review in it
    conn.execute("INSERT INTO _migrations VALUES ('m001_initial', '2025-01-01T00:00:00Z')")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO cards (slug, content_hash) VALUES ('huber', 'h')")
    conn.execute("INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms) VALUES (1, '2025-01-01', 3, 10)")
    conn.close()
    with Store(path) as store:
        indexes = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"reviews_stats_card", "reviews_stats_time"} <= indexes
        columns = [r[2] for r in store.conn.execute("PRAGMA index_info(reviews_stats_card)")]
        assert columns == ["card_id", "undone", "cram", "mode", "correct", "duration_ms"]  # m006
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.conn.execute("SELECT mode FROM reviews").fetchall() == [("drill",)]
        store.record_review(ReviewInput("huber", 1, NOW, 0, correct=False, mode="code"), _advance)
        modes = store.conn.execute("SELECT mode, rating FROM reviews ORDER BY id").fetchall()
        assert modes == [("drill", 3), ("code", 1)]
        assert store.practice_history()["huber"].attempts == 1


def test_progress_is_keyed_on_deck_and_card(tmp_path: Path) -> None:
    """Two decks may both have a card 'huber': each keeps its own schedule and reviews."""
    with Store.open(tmp_path, deck="/decks/mine") as mine:
        mine.sync_cards([("huber", "h1")])
        mine.record_review(ReviewInput("huber", 1, NOW, 1000), _advance)
        assert mine.cards()["huber"].fsrs_json is not None
    with Store.open(tmp_path) as builtin:  # the built-in deck
        builtin.sync_cards([("huber", "h2")])
        assert builtin.cards()["huber"].fsrs_json is None, "the other deck's review must not leak in"
        assert builtin.introduced_since(NOW - timedelta(days=1)) == 0
        assert set(builtin.cards()) == {"huber"}


def test_deck_key_names_the_builtin_deck_wherever_it_is(tmp_path: Path) -> None:
    from lossquiz.paths import builtin_deck, deck_key

    assert deck_key(builtin_deck()) == ""
    assert deck_key(builtin_deck() / "cards" / "..") == ""
    assert deck_key(tmp_path) == str(tmp_path.resolve())
