"""Concurrency and faults (issue 12): a long import beside a drill, read-only commands, a damaged
file, a full disk.

Each test drives the real CLI (a subprocess where two processes must really run at once) and
then reads the SQLite file directly.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.progress.store import DB_NAME, Store

REPO = Path(__file__).parent.parent


def write_history(path: Path, reviews: int, *, cards: int = 80, seed: int = 1) -> None:
    """A `history export`-format file: `reviews` reviews spread over `cards` cards, a minute apart."""
    rng = random.Random(seed)
    base = datetime(2020, 1, 1, tzinfo=timezone.utc)
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"type": "header", "format": "lossquiz-history", "version": 1}) + "\n")
        for c in range(cards):
            f.write(json.dumps({"type": "card", "card": f"bulk-{c}"}) + "\n")
        for i in range(reviews):
            at = (base + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
            line = {"type": "review", "card": f"bulk-{i % cards}", "reviewed_at": at, "rating": rng.randint(1, 4)}
            f.write(json.dumps({**line, "duration_ms": 5000}) + "\n")


def cli_env(home: Path) -> dict[str, str]:
    return {**os.environ, "LOSSQUIZ_HOME": str(home), "COLUMNS": "100", "NO_COLOR": "1"}


# What a drill does for each answer: open the store, commit one review through record_rated,
# close. Any StorageError (a "busy" among them) ends the process with that line and exit 1.
ANSWERER = textwrap.dedent(
    """
    import sys, time
    from datetime import datetime, timezone
    from pathlib import Path
    from lossquiz.errors import LossquizError
    from lossquiz.progress.reviews import record_rated
    from lossquiz.progress.scheduling import make_scheduler
    from lossquiz.progress.store import ReviewInput, Store

    home, stop = Path(sys.argv[1]), Path(sys.argv[2])
    scheduler = make_scheduler()
    given = 0
    try:
        while not stop.exists() or given < 3:
            with Store.open(home) as store:
                review = ReviewInput("answer-target", 3, datetime.now(timezone.utc), 4000, answer=f"answer-{given}")
                record_rated(store, scheduler, review)
            given += 1
            print(given, flush=True)
            time.sleep(0.1)
    except LossquizError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    """
)


def test_a_400k_review_import_never_drops_an_answer_given_meanwhile(tmp_path: Path) -> None:
    home = tmp_path / "home"
    big = tmp_path / "big.jsonl"
    write_history(big, 400_000)
    with Store.open(home) as store:
        store.sync_cards([("answer-target", "x")])
    stop = tmp_path / "import-finished"
    answerer = subprocess.Popen(
        [sys.executable, "-c", ANSWERER, str(home), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(home),
    )
    try:
        imported = subprocess.run(
            [sys.executable, "-m", "lossquiz", "history", "import", str(big), "--json"],
            capture_output=True,
            text=True,
            env=cli_env(home),
            timeout=900,
        )
    finally:
        stop.touch()
        out, err = answerer.communicate(timeout=300)
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout)["reviews_added"] == 400_000
    assert answerer.returncode == 0, err  # no "busy", no dropped answer
    assert "busy" not in err + imported.stderr
    given = int(out.split()[-1])
    with sqlite3.connect(home / DB_NAME) as db:
        stored = [r[0] for r in db.execute("SELECT answer FROM reviews WHERE answer LIKE 'answer-%' ORDER BY id")]
        bulk = db.execute("SELECT count(*) FROM reviews WHERE answer IS NULL").fetchone()[0]
    assert stored == [f"answer-{i}" for i in range(given)]  # every answer given is stored, in order
    assert bulk == 400_000


def test_a_commit_that_meets_a_lock_waits_and_retries_instead_of_failing(tmp_path: Path) -> None:
    """A lock held past SQLite's own timeout is retried: the answer lands once the lock is gone."""
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.sync_cards([("answer-target", "x")])
    blocker = textwrap.dedent(
        """
        import sqlite3, sys, time
        db = sqlite3.connect(sys.argv[1], isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        print("locked", flush=True)
        time.sleep(float(sys.argv[2]))
        db.execute("COMMIT")
        """
    )
    import lossquiz.progress.store as store_module

    hold = store_module.BUSY_TIMEOUT_S + 3  # longer than one busy timeout: the old code said "busy"
    with subprocess.Popen(
        [sys.executable, "-c", blocker, str(home / DB_NAME), str(hold)], stdout=subprocess.PIPE, text=True
    ) as lock:
        assert lock.stdout is not None and lock.stdout.readline().strip() == "locked"
        stop = tmp_path / "stop"
        stop.touch()  # one round of answers (three), the first of which meets the lock
        answered = subprocess.run(
            [sys.executable, "-c", ANSWERER, str(home), str(stop)],
            capture_output=True,
            text=True,
            env=cli_env(home),
            timeout=300,
        )
    assert answered.returncode == 0, answered.stderr
    with sqlite3.connect(home / DB_NAME) as db:
        assert db.execute("SELECT count(*) FROM reviews WHERE answer LIKE 'answer-%'").fetchone()[0] == 3


# -- read-only commands -------------------------------------------------------------------------

READ_ONLY = [
    ["stats"],
    ["stats", "--json"],
    ["list"],
    ["due"],
    ["card", "info", "huber"],
    ["history", "export", "-"],
    ["config"],
    ["trust", "--list"],
]


@pytest.mark.parametrize("args", READ_ONLY, ids=" ".join)
def test_read_only_commands_create_nothing_in_an_empty_data_dir(tmp_path: Path, args: list[str]) -> None:
    home = tmp_path / "fresh" / "lossquiz"  # neither folder exists yet
    result = CliRunner().invoke(app, args, env={"LOSSQUIZ_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "fresh").exists()
    if args == ["stats"]:
        assert "No reviews yet" in result.output


def test_read_only_commands_say_there_is_no_history_yet(tmp_path: Path) -> None:
    home = tmp_path / "empty"
    home.mkdir()
    stats = CliRunner().invoke(app, ["stats", "--data-dir", str(home)])
    assert "No reviews yet" in stats.output
    exported = CliRunner().invoke(app, ["history", "export", "-", "--data-dir", str(home)])
    assert exported.exit_code == 0
    assert json.loads(exported.stdout.splitlines()[0])["reviews"] == 0
    assert "no history yet" in exported.stderr
    assert os.listdir(home) == []


def test_a_read_only_open_takes_no_write_lock(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.sync_cards([("a", "x")])
    with Store.open(home, readonly=True) as store, pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.conn.execute("BEGIN IMMEDIATE")
    # and while another process holds the write lock, every read-only command still answers
    writer = sqlite3.connect(home / DB_NAME, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE cards SET lapses = 7")
    try:
        for args in READ_ONLY:
            result = CliRunner().invoke(app, args)
            assert result.exit_code == 0, (args, result.output)
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_an_older_schema_is_read_without_being_upgraded_on_disk(tmp_path: Path) -> None:
    from lossquiz.progress.migrations import MIGRATIONS

    home = tmp_path / "home"
    with Store.open(home) as store:
        store.sync_cards([("a", "x")])
    db = sqlite3.connect(home / DB_NAME, isolation_level=None)
    for step in MIGRATIONS[6:]:  # back to schema 6: before m007 (suspended), m008 (card_totals), m009 (indexes)
        db.execute("DELETE FROM _migrations WHERE name = ?", (step.__name__,))
    db.execute("PRAGMA user_version = 6")
    db.execute("DROP INDEX reviews_undone_time")
    db.execute("DROP INDEX reviews_card")
    db.execute("CREATE INDEX reviews_card ON reviews(card_id, reviewed_at)")
    for trigger in ("card_totals_insert", "card_totals_update", "card_totals_delete", "card_totals_card_delete"):
        db.execute(f"DROP TRIGGER {trigger}")
    db.execute("DROP TABLE card_totals")
    db.execute("ALTER TABLE cards DROP COLUMN suspended")
    db.close()  # the last connection: checkpointed into the file
    before = (home / DB_NAME).read_bytes()
    for args in (["stats", "--json"], ["due"], ["history", "export", "-"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
    assert (home / DB_NAME).read_bytes() == before
    db = sqlite3.connect(home / DB_NAME)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 6
    db.close()


# -- a damaged file ------------------------------------------------------------------------------


def corrupt_a_middle_page(db_path: Path) -> None:
    """Overwrite one page in the middle of the reviews table with random bytes."""
    with sqlite3.connect(db_path) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [r[0] for r in db.execute("SELECT pageno FROM dbstat WHERE name = 'reviews' AND pagetype = 'leaf'")]
    db.close()
    victim = sorted(pages)[len(pages) // 2]
    with db_path.open("r+b") as f:
        f.seek((victim - 1) * page_size)
        f.write(random.Random(7).randbytes(page_size))


@pytest.fixture
def damaged(tmp_path: Path) -> Iterator[Path]:
    home = tmp_path / "home"
    with Store.open(home) as store:
        store.sync_cards([("huber", "x"), ("mse", "y")])
        with store.transaction() as conn:
            # huber has a schedule, so `card reset huber` has something to write (a new card is left alone)
            conn.execute("UPDATE cards SET fsrs_json = '{}', state = 2 WHERE slug = 'huber'")
            conn.executemany(
                "INSERT INTO reviews (card_id, reviewed_at, rating, duration_ms, answer) VALUES (1, ?, 3, 1000, ?)",
                [(f"2024-01-01T00:00:{i:09d}Z", "x" * 50) for i in range(5000)],
            )
    corrupt_a_middle_page(home / DB_NAME)
    yield home


WRITERS = [
    ["card", "suspend", "huber"],
    ["card", "reset", "huber"],
    ["drill", "--time-limit", "0"],
    ["history", "import", "HISTORY"],
    ["optimize", "--reset"],
    ["trust", "DECK"],
]


@pytest.mark.parametrize("args", WRITERS, ids=" ".join)
def test_a_database_failing_its_integrity_check_is_refused_by_writers_and_left_untouched(
    damaged: Path, tmp_path: Path, args: list[str]
) -> None:
    history = tmp_path / "h.jsonl"
    write_history(history, 10, cards=2)
    deck = REPO / "tests" / "fixtures" / "decks" / "mini"
    args = [str(history) if a == "HISTORY" else str(deck) if a == "DECK" else a for a in args]
    db = damaged / DB_NAME
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = CliRunner().invoke(app, args, input="q\n")
    assert result.exit_code == 1, result.output
    assert "corrupt" in result.stderr and "left untouched" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert not db.with_name(DB_NAME + "-wal").exists() or db.with_name(DB_NAME + "-wal").stat().st_size == 0


# -- a full disk ----------------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB tmpfs holding a data dir with some history, then filled to the last byte."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root; not root here")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        home = mount / "home"
        history = tmp_path / "h.jsonl"
        write_history(history, 2000, cards=5)
        imported = CliRunner().invoke(app, ["history", "import", str(history), "--data-dir", str(home)])
        assert imported.exit_code == 0, imported.output
        try:
            with (mount / "filler").open("wb") as f:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
        except OSError:
            pass
        yield home
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_on_a_full_disk_read_only_commands_still_rescue_the_data(full_disk: Path) -> None:
    home = full_disk
    env = cli_env(home)
    run = [sys.executable, "-m", "lossquiz"]
    stats = subprocess.run([*run, "stats", "--json"], capture_output=True, text=True, env=env, timeout=120)
    assert stats.returncode == 0, stats.stderr
    exported = subprocess.run([*run, "history", "export", "-"], capture_output=True, text=True, env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.splitlines()
    assert json.loads(lines[0])["reviews"] == 2000
    assert sum(json.loads(line)["type"] == "review" for line in lines) == 2000
    # while a write says so in one line
    wrote = subprocess.run([*run, "card", "suspend", "huber"], capture_output=True, text=True, env=env, timeout=120)
    assert wrote.returncode == 1
    assert len(wrote.stderr.strip().splitlines()) == 1 and "Traceback" not in wrote.stderr
