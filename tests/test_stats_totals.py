"""`stats` reads kept aggregates (m008 card_totals) and window ranges: its figures must be today's.

The old route is kept here as it was before issue 18: the per-card totals summed over every
review, true retention with each answer's previous review looked up by a correlated max(),
days found with clock.day_of, failures without the index hint. Every figure of `stats --json`
is compared with what that route computes from the reviews table, on a varied history: a
simulated year, drills, auto-graded and self-graded answers, cram, practice checks, undos, an
imported history, two decks sharing card ids, deletes and edits of reviews, a DST time zone.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from fsrs import State
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import iso
from lossquiz.deck.cards import load_deck
from lossquiz.paths import deck_key
from lossquiz.progress import migrations, stats
from lossquiz.progress.store import Store
from lossquiz.progress.synthetic import generate_history
from tests.test_stats import record

NOW = datetime(2025, 3, 20, 15, 0, tzinfo=timezone.utc)  # ten days after New York's DST change
ZONE = "America/New_York"

# -- the old route (lossquiz before issue 18), an independent recomputation ------------------

OLD_PER_CARD = """
    SELECT card_id, count(*), sum(cram), sum(mode = 'code'),
           sum(mode = 'drill'), coalesce(sum(CASE WHEN mode = 'drill' THEN duration_ms END), 0),
           count(CASE WHEN mode = 'drill' THEN correct END),
           coalesce(sum(CASE WHEN mode = 'drill' THEN correct END), 0)
      FROM reviews WHERE undone = 0 GROUP BY card_id
"""

OLD_RETENTION = """
    SELECT r.card_id, r.reviewed_at, r.rating, r.prev_state, r.prev_due,
           (SELECT max(p.reviewed_at) FROM reviews p
             WHERE p.card_id = r.card_id AND p.undone = 0 AND p.cram = 0 AND p.reviewed_at < r.reviewed_at)
      FROM reviews r
     WHERE r.reviewed_at >= :since AND r.undone = 0 AND r.cram = 0 AND +r.card_id IN (SELECT value FROM json_each(:ids))
     ORDER BY r.reviewed_at, r.id
"""

OLD_FAILURES = """
    SELECT card_id, count(*) FROM reviews
     WHERE reviewed_at >= :since AND undone = 0 AND rating = 1 AND +card_id IN (SELECT value FROM json_each(:ids))
     GROUP BY card_id
"""


def old_true_retention(store: Store, ids: str, starts: list[str], hour: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """True retention exactly as stats computed it before: day_of per answer, max() per answer."""
    seen: set[tuple[int, date]] = set()
    young, mature = [0, 0], [0, 0]
    since = starts[0]
    for card_id, at, rating, prev_state, prev_due, prev_at in store.query(OLD_RETENTION, {"ids": ids, "since": since}):
        key = (int(card_id), stats.local_date(datetime.fromisoformat(at), hour))
        if key in seen:
            continue
        seen.add(key)
        if prev_state != int(State.Review) or not prev_due or not prev_at:
            continue
        interval = (datetime.fromisoformat(prev_due) - datetime.fromisoformat(prev_at)).total_seconds() / 86400
        bucket = young if interval < stats.MATURE_DAYS else mature
        bucket[0] += int(rating) > 1
        bucket[1] += 1
    return (young[0], young[1]), (mature[0], mature[1])


def old_daily(store: Store, ids: str, first: date, starts: list[str], *, every: bool = False) -> list[stats.DayCount]:
    """The heatmap counted in Python: each kept review's study day by day_of, whatever `every` says."""
    counts = {first + timedelta(days=i): 0 for i in range(len(starts) - 1)}
    query = "SELECT reviewed_at FROM reviews WHERE undone = 0 AND card_id IN (SELECT value FROM json_each(:ids))"
    for (at,) in store.query(query, {"ids": ids}):
        day = stats.local_date(datetime.fromisoformat(at))
        if day in counts:
            counts[day] += 1
    return [stats.DayCount(day, n) for day, n in counts.items()]


def old_figures(monkeypatch: pytest.MonkeyPatch, home: Path, deck: Path, topics: list[str]) -> dict[str, Any]:
    """`stats --json` as the old queries compute it, from the reviews table."""
    with monkeypatch.context() as m:
        m.setattr(stats, "_PER_CARD", OLD_PER_CARD)
        m.setattr(stats, "_FAILURES", OLD_FAILURES)
        m.setattr(stats, "_true_retention", old_true_retention)
        m.setattr(stats, "_daily", old_daily)
        with Store.open(home, deck=deck_key(deck), readonly=True) as store:
            figures = stats.compute_stats(store, load_deck(deck), now=NOW, topics=topics)
    return json.loads(json.dumps(figures.to_dict()))


def old_totals(conn: sqlite3.Connection) -> dict[int, tuple[int, ...]]:
    """Per card with a kept review: the old sums, straight from the reviews."""
    return {int(r[0]): tuple(int(x) for x in r[1:]) for r in conn.execute(OLD_PER_CARD)}


def kept_totals(conn: sqlite3.Connection) -> dict[int, tuple[int, ...]]:
    """card_totals as the triggers keep it (rows whose reviews were all undone or deleted read as none)."""
    rows = conn.execute("SELECT card_id, reviews, cram, practice, drill, drill_ms, graded, correct FROM card_totals")
    return {int(r[0]): tuple(int(x) for x in r[1:]) for r in rows if r[1]}


# -- the history ------------------------------------------------------------------------------


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", ZONE)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def decks(deck_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """Two decks with the same card ids (progress is kept per deck)."""
    other = tmp_path / "other-deck"
    shutil.copytree(deck_dir, other)
    return deck_dir, other


def cli(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args), env={"LOSSQUIZ_NOW": iso(NOW)})
    assert result.exit_code == 0, result.output
    return result.stdout


def varied_history(runner: CliRunner, home: Path, first: Path, second: Path, tmp_path: Path) -> None:
    """Every way a review is written or changed, over two decks."""
    with Store.open(home, deck=deck_key(first)) as store:
        generate_history(store, load_deck(first), 3000, seed=3, now=NOW - timedelta(hours=2))  # cram, undone
        day = NOW - timedelta(hours=1)
        record(store, "absolute", 3, day, ms=4000, correct=True)  # auto-graded drill answers
        record(store, "square", 1, day + timedelta(minutes=1), ms=5000, correct=False)
        record(store, "square", 3, day + timedelta(minutes=1), ms=5000, correct=True)  # the same instant again
        record(store, "bias-variance", 2, day + timedelta(minutes=2), ms=6000)  # self-graded
        record(store, "logistic", 1, day + timedelta(minutes=3), ms=7000, cram=True)
        record(store, "absolute", 4, day + timedelta(minutes=4), ms=0, correct=True, mode="code")  # practice
        record(store, "square", 1, day + timedelta(minutes=5), ms=0, correct=False, mode="code")
        session = store.start_session(day + timedelta(minutes=6), cram=False)
        record(store, "absolute", 1, day + timedelta(minutes=7), ms=9000, correct=False, session=session)
        record(store, "square", 3, day + timedelta(minutes=8), ms=8000, correct=True, session=session)
        assert store.undo_last(session) == "square"  # an undo flips `undone`
        assert store.undo_last(session) == "absolute"
    with Store.open(home, deck=deck_key(second)) as store:  # a short history: young intervals
        generate_history(store, load_deck(second), 500, seed=5, now=NOW - timedelta(hours=3))
    file = tmp_path / "first.jsonl"
    cli(runner, "history", "export", str(file), "--deck", str(first))
    cli(runner, "history", "import", str(file), "--deck", str(second))  # the import path writes reviews too
    with Store.open(home, deck=deck_key(second)) as store:
        record(store, "absolute", 3, NOW - timedelta(minutes=30), ms=3000, correct=True)
        with store.transaction() as conn:  # no command deletes or edits reviews yet; the triggers must hold if one does
            conn.execute(
                "DELETE FROM reviews WHERE id IN (SELECT r.id FROM reviews r JOIN cards c ON c.id = r.card_id"
                " WHERE c.deck = ? ORDER BY r.id DESC LIMIT 40)",
                (deck_key(second),),
            )
            conn.execute("UPDATE reviews SET undone = 1 - undone WHERE id % 97 = 0")
            conn.execute("UPDATE reviews SET mode = 'code', duration_ms = 0 WHERE id % 89 = 0 AND undone = 0")
            conn.execute("UPDATE reviews SET correct = NULL WHERE id % 83 = 0")
            conn.execute("UPDATE reviews SET cram = 1 - cram WHERE id % 79 = 0")


def test_stats_figures_equal_the_old_route_on_a_varied_history(
    runner: CliRunner, env: Path, decks: tuple[Path, Path], tmp_path: Path, zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = decks
    varied_history(runner, env, first, second, tmp_path)
    with sqlite3.connect(env / "progress.db") as conn:
        totals = old_totals(conn)
        assert kept_totals(conn) == totals
        kinds = conn.execute("SELECT count(DISTINCT mode), sum(cram), sum(undone), count(*) FROM reviews").fetchone()
    assert kinds[0] == 2 and kinds[1] > 0 and kinds[2] > 0 and kinds[3] > 5000
    compared = 0
    for deck in (first, second):
        for topics in ([], ["regression"]):
            args = ["stats", "--deck", str(deck), "--json", *(a for t in topics for a in ("--topic", t))]
            new = json.loads(cli(runner, *args))
            assert new == old_figures(monkeypatch, env, deck, topics)
            compared += 1
            assert new["reviews"]["total"] > 0 and new["retention"]["reviews"] > 0
    assert compared == 4
    # The figures are not all zero or all alike: the comparison above can fail.
    whole = json.loads(cli(runner, "stats", "--deck", str(first), "--json"))
    assert whole["reviews"]["practice"] > 0 and whole["reviews"]["cram"] > 0
    assert whole["retention"]["mature"]["reviews"] > 0
    young = json.loads(cli(runner, "stats", "--deck", str(second), "--json"))["retention"]["young"]
    assert young["reviews"] >= young["passed"] > 0
    assert any(w["recent_failures"] for w in whole["weakest"])


def test_one_deck_every_card_selected_equals_the_old_route(
    runner: CliRunner, env: Path, deck_dir: Path, zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One deck and no --topic: every card in the database is selected, so the heatmap counts the
    time index and takes the undone reviews away (_DAILY_ALL). It must still equal a count by day_of."""
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        generate_history(store, load_deck(deck_dir), 3000, seed=11, now=NOW - timedelta(hours=2))
        session = store.start_session(NOW - timedelta(minutes=20), cram=False)
        record(store, "square", 3, NOW - timedelta(minutes=10), ms=5000, correct=True, session=session)
        assert store.undo_last(session) == "square"  # undone today: today's count must not include it
    with sqlite3.connect(env / "progress.db") as conn:
        conn.execute("UPDATE reviews SET undone = 1 - undone WHERE id % 53 = 0")
        undone = conn.execute("SELECT count(*) FROM reviews WHERE undone = 1").fetchone()[0]
        kept = conn.execute("SELECT count(*) FROM reviews WHERE undone = 0").fetchone()[0]
    assert undone > 40
    new = json.loads(cli(runner, "stats", "--deck", str(deck_dir), "--json"))
    assert new == old_figures(monkeypatch, env, deck_dir, [])
    days = new["heatmap"]
    assert 0 < sum(d["count"] for d in days) < kept  # four months of a longer history, less what was undone


def test_answers_after_today_count_on_their_own_days_as_the_old_route_does(
    runner: CliRunner, env: Path, decks: tuple[Path, Path], tmp_path: Path, zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clock that was ahead left answers after today: each later study day's first answer counts once."""
    first, second = decks
    varied_history(runner, env, first, second, tmp_path)
    before = json.loads(cli(runner, "stats", "--deck", str(first), "--json"))["retention"]
    with Store.open(env, deck=deck_key(first)) as store:
        for hours in (26, 27, 75, 76):  # two answers on each of two later days, per card
            for slug in ("absolute", "square", "bias-variance"):
                record(store, slug, 3 if hours % 2 else 1, NOW + timedelta(hours=hours), ms=2000)
    new = json.loads(cli(runner, "stats", "--deck", str(first), "--json"))
    assert new == old_figures(monkeypatch, env, first, [])
    assert before["reviews"] < new["retention"]["reviews"] <= before["reviews"] + 6


def test_the_new_route_differs_from_a_wrong_one(
    runner: CliRunner, env: Path, decks: tuple[Path, Path], tmp_path: Path, zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale totals table shows in `stats --json`: the equality above is not vacuous."""
    first, second = decks
    varied_history(runner, env, first, second, tmp_path)
    with sqlite3.connect(env / "progress.db") as conn:
        conn.execute("UPDATE card_totals SET reviews = reviews + 1, correct = correct + 1")
    assert json.loads(cli(runner, "stats", "--deck", str(first), "--json")) != old_figures(monkeypatch, env, first, [])


def test_m008_fills_the_totals_of_a_database_made_by_m001_to_m007(
    runner: CliRunner, env: Path, decks: tuple[Path, Path], tmp_path: Path, zone: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = decks
    with monkeypatch.context() as m:  # the schema as it shipped before m008
        m.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:7])
        m.setattr("lossquiz.progress.store.MIGRATIONS", migrations.MIGRATIONS[:7])
        varied_history(runner, env, first, second, tmp_path)
        with sqlite3.connect(env / "progress.db") as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
            assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'card_totals'").fetchall()
            before = old_totals(conn)
    assert len(before) > 4
    # A read-only stats upgrades a copy in memory and leaves the file at schema 7 ...
    upgraded_in_memory = json.loads(cli(runner, "stats", "--deck", str(first), "--json"))
    with sqlite3.connect(env / "progress.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    assert upgraded_in_memory == old_figures(monkeypatch, env, first, [])
    # ... a writer migrates the file: the backfill equals the sums over the reviews, and the
    # triggers keep it so from then on.
    with Store.open(env, deck=deck_key(first)) as store:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations.MIGRATIONS)
        assert kept_totals(store.conn) == before
        record(store, "absolute", 2, NOW - timedelta(minutes=10), ms=2500, correct=False)
        record(store, "square", 4, NOW - timedelta(minutes=9), ms=0, correct=True, mode="code")
        assert kept_totals(store.conn) == old_totals(store.conn) != before
    for deck in (first, second):
        assert json.loads(cli(runner, "stats", "--deck", str(deck), "--json")) == old_figures(
            monkeypatch, env, deck, []
        )


def test_a_deleted_card_takes_its_totals_along(env: Path, deck_dir: Path) -> None:
    with Store.open(env, deck=deck_key(deck_dir)) as store:
        store.sync_cards((c.id, c.content_hash()) for c in load_deck(deck_dir).cards)
        record(store, "absolute", 3, NOW, ms=1000, correct=True)
        card = store.cards()["absolute"].id
        assert kept_totals(store.conn) == {card: (1, 0, 0, 1, 1000, 1, 1)}
        with store.transaction() as conn:
            conn.execute("DELETE FROM reviews WHERE card_id = ?", (card,))
            conn.execute("DELETE FROM cards WHERE id = ?", (card,))
        assert store.conn.execute("SELECT count(*) FROM card_totals").fetchone()[0] == 0


EMPTY_PROBE = """
import sys
from lossquiz.cli import app
try:
    app(["stats", "--deck", {deck!r}])
except SystemExit:
    pass
heavy = [m for m in ("fsrs", "rich.table", "rich.panel", "lossquiz.progress.settings", "lossquiz.progress.fitting")
         if m in sys.modules]
print("HEAVY:" + ",".join(heavy), file=sys.stderr)
"""


def test_an_empty_stats_imports_no_scheduler_nor_table_and_creates_nothing(deck_dir: Path, tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    env = {**os.environ, "LOSSQUIZ_HOME": str(home), "LOSSQUIZ_CACHE_DIR": str(tmp_path / "cache")}
    code = EMPTY_PROBE.format(deck=str(deck_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    assert "No reviews yet" in done.stdout, done.stdout + done.stderr
    assert "default parameters" in done.stdout and "target retention 90% (default)" in done.stdout
    assert done.stderr.strip().splitlines()[-1] == "HEAVY:", done.stderr
    assert not (home / "progress.db").exists()
    # With a history (a database), the settings are read and the full view drawn: recall now is
    # FSRS's forgetting curve in plain Python (progress/memory.py), without py-fsrs, and the
    # tables are ui/grid.py's, drawn without rich.table or rich.panel while they fit.
    with Store.open(home, deck=deck_key(deck_dir)) as store:
        store.sync_cards((c.id, c.content_hash()) for c in load_deck(deck_dir).cards)
        record(store, "absolute", 3, NOW, ms=1000, correct=True)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, env=env)
    assert "by topic" in done.stdout, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == "HEAVY:lossquiz.progress.settings"


def test_the_empty_views_constants_are_py_fsrs_and_the_settings() -> None:
    """stats names these without importing py-fsrs; they must be the values it would have read."""
    from lossquiz.progress import scheduling, settings

    assert (stats.LEARNING, stats.REVIEW, stats.RELEARNING) == (State.Learning, State.Review, State.Relearning)
    assert stats.DEFAULT_RETENTION == scheduling.DEFAULT_RETENTION
    assert stats.ALGORITHM == settings.ALGORITHM
