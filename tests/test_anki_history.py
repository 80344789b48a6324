"""An apkg exported with history is what Anki's own scheduler would have written, and imports back
to the same ratings, states and due dates (checked with Anki's library and against the stores)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import day_of

pytest.importorskip("anki", reason="the interop tests need Anki's library (the dev extra installs it)")

from tests.anki_packages import collection, import_into  # noqa: E402

NOTES = """#flashcards

# Regression

What is the Huber loss?
?
Quadratic for small residuals, linear beyond delta.

What does MAE estimate?
?
The conditional median of the target.

What does MSE estimate?
?
The conditional mean of the target.

What does the log-cosh loss behave like?
?
Like MSE near zero and like MAE far away.
"""

# py-fsrs State, as the store keeps it, and Anki's revlog kind for it (rslib revlog/mod.rs)
LEARNING, REVIEW, RELEARNING = 1, 2, 3
KIND = {None: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}


def _home_db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "progress.db")


def _reviews(home: Path) -> list[tuple[Any, ...]]:
    """Every review as stored: card, time, rating, cram, and the state and due it was answered in."""
    with _home_db(home) as db:
        return db.execute(
            """SELECT c.slug, r.reviewed_at, r.rating, r.cram, r.undone, r.prev_state, r.prev_due
                 FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.reviewed_at, c.slug"""
        ).fetchall()


def _cards(home: Path) -> dict[str, tuple[Any, ...]]:
    with _home_db(home) as db:
        rows = db.execute("SELECT slug, state, due, lapses FROM cards WHERE fsrs_json IS NOT NULL").fetchall()
    return {slug: rest for slug, *rest in rows}


@pytest.fixture
def drilled(runner: CliRunner, tmp_path: Path, utc: None) -> tuple[Path, Path, datetime, list[tuple[Any, ...]]]:
    """A deck drilled over ten days: Good, Hard, Again, Easy; learning steps; a review three
    days on; a lapse and its relearning step; a cram answer on a new card; a card still learning."""
    notes = tmp_path / "four.md"
    notes.write_text(NOTES, encoding="utf-8")
    deck, home = tmp_path / "four", tmp_path / "home"
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)]).exit_code == 0
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    t0 = noon - timedelta(days=12)  # every answer at midday: no step crosses the 04:00 day start
    m, d = timedelta(minutes=1), timedelta(days=1)
    plan = [
        (t0, "huber-loss", 1, False),  # new -> learning
        (t0 + m, "huber-loss", 3, False),  # learning step
        (t0 + 2 * m, "mae-estimate", 2, False),  # Hard on a new card
        (t0 + 12 * m, "huber-loss", 3, False),  # graduates: review
        (t0 + 25 * m, "mae-estimate", 4, False),  # Easy while learning
        (t0 + 3 * d, "huber-loss", 3, False),  # a review days later
        (t0 + 5 * d, "mse-estimate", 1, True),  # cram: the card stays new
        (t0 + 10 * d, "huber-loss", 1, False),  # a lapse: relearning
        (t0 + 10 * d + 11 * m, "huber-loss", 3, False),  # relearnt: review again
        (t0 + 10 * d + 12 * m, "log-cosh-loss-behave-like", 3, False),  # a card left learning, due in 10 min
    ]
    for at, card, rating, cram in plan:
        args = ["drill", "--deck", str(deck), "--card", card, "--time-limit", "0"] + (["--cram"] if cram else [])
        result = runner.invoke(app, args, input=f"\n{rating}\n", env={"LOSSQUIZ_NOW": at.isoformat()})
        assert result.exit_code == 0, result.output
    return deck, home, t0 + 10 * d + 13 * m, plan


def _export(runner: CliRunner, deck: Path, out: Path, now: datetime) -> None:
    args = ["export", "--deck", str(deck), "--with-history", str(out)]
    result = runner.invoke(app, args, env={"LOSSQUIZ_NOW": now.isoformat()})
    assert result.exit_code == 0, result.output
    assert "with 10 reviews" in result.output  # the cram answer too (marked as one)


def test_the_package_is_v3_and_its_review_log_is_what_anki_would_have_written(
    runner: CliRunner, tmp_path: Path, drilled: tuple[Path, Path, datetime, list[tuple[Any, ...]]]
) -> None:
    deck, home, now, plan = drilled
    stored = _reviews(home)
    assert [(s, r, bool(c)) for s, _, r, c, *_ in stored] == [(c, r, cram) for _, c, r, cram in plan]
    out = tmp_path / "four.apkg"
    _export(runner, deck, out, now)
    with zipfile.ZipFile(out) as z:
        raw = tmp_path / "raw.anki2"
        raw.write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(raw) as db:
        conf = json.loads(db.execute("select conf from col").fetchone()[0])
    assert conf["schedVer"] == 2 and conf["sched2021"] is True  # the v3 scheduler: eases 1-4 everywhere

    col_dir = tmp_path / "anki"
    col_dir.mkdir()
    import_into(col_dir, out)
    anki = collection(col_dir)
    try:
        revlog = anki.db.all(
            "select n.guid, r.ease, r.type, r.ivl, r.lastIvl, r.factor from revlog r"
            " join cards c on c.id = r.cid join notes n on n.id = c.nid order by r.id"
        )
        cards = {
            guid.rsplit("::", 1)[1]: (kind, queue, due, ivl)
            for guid, kind, queue, due, ivl in anki.db.all(
                "select n.guid, c.type, c.queue, c.due, c.ivl from cards c join notes n on n.id = c.nid"
            )
        }
        today = anki.sched.today
    finally:
        anki.close()

    # one revlog entry per answer, in order, with lossquiz's button and the kind of state answered in
    assert [g.rsplit("::", 1)[1] for g, *_ in revlog] == [c for _, c, _, _ in plan]
    for (_, ease, kind, _, _, factor), (slug, _, rating, cram, _, prev_state, _) in zip(revlog, stored, strict=True):
        assert ease == rating, slug
        if cram:  # Anki's cram answer: filtered, factor 0 (revlog/mod.rs is_cramming), not scheduling
            assert (kind, factor) == (3, 0)
        else:
            assert kind == KIND[prev_state], (slug, prev_state)
    huber = [e for e in revlog if e[0].endswith("huber-loss")]
    assert [e[2] for e in huber] == [0, 0, 0, 1, 1, 2]  # learn, learn, learn (graduates), review, lapse, relearn
    assert huber[0][3] < 0 and huber[1][3] < 0  # steps: negative seconds
    assert huber[0][4] == 0 and huber[1][4] == huber[0][3]  # lastIvl is the previous interval
    assert huber[2][3] >= 1 and huber[3][4] == huber[2][3]  # graduated: days; the review knew it
    assert huber[4][3] < 0 and huber[5][3] >= 1  # the lapse sets a relearning step; relearnt: days

    # each card as lossquiz has it: huber and mae review cards due on their day, log-cosh learning
    # (due at its step's time), mse still new
    states = _cards(home)
    assert set(states) == {"huber-loss", "mae-estimate", "log-cosh-loss-behave-like"}
    assert cards["mse-estimate"][:2] == (0, 0)
    for slug, (state, due_text, _lapses) in states.items():
        due = datetime.fromisoformat(due_text)
        kind, queue, anki_due, _ = cards[slug]
        if state == REVIEW:
            assert (kind, queue) == (2, 2), slug
            # Anki's day number: today's, plus the study days (04:00 to 04:00) from today to the due day
            assert anki_due == today + (day_of(due) - day_of(datetime.now(timezone.utc))).days, slug
        else:
            assert (kind, queue, anki_due) == (1, 1, int(due.timestamp())), slug


def test_the_package_imports_back_with_the_same_ratings_states_and_due_dates(
    runner: CliRunner, tmp_path: Path, drilled: tuple[Path, Path, datetime, list[tuple[Any, ...]]]
) -> None:
    deck, home, now, _ = drilled
    out = tmp_path / "four.apkg"
    _export(runner, deck, out, now)
    fresh = tmp_path / "fresh-home"
    env = {"LOSSQUIZ_NOW": now.isoformat(), "LOSSQUIZ_HOME": str(fresh)}
    back = tmp_path / "back"
    result = runner.invoke(app, ["import", str(out), "--into", str(back), "--with-history"], env=env)
    assert result.exit_code == 0, result.output
    assert "history: 10 reviews replayed into 4 cards' schedules" in result.output  # cards with reviews
    again = runner.invoke(app, ["import", str(out), "--into", str(back), "--with-history"], env=env)
    assert again.exit_code == 0, again.output  # N18-6: the second import said "0 reviews replayed", not why
    assert "history: 10 already in your progress, not added twice" in again.output, again.output

    assert _reviews(fresh) == _reviews(home)  # every rating, cram flag and state answered in
    assert _cards(fresh) == _cards(home)  # the state and due date each card has now

    for card in ("huber-loss", "mae-estimate", "mse-estimate", "log-cosh-loss-behave-like"):
        infos = []
        for where, folder in ((home, deck), (fresh, back)):
            args = ["card", "info", card, "--deck", str(folder), "--json"]
            result = runner.invoke(app, args, env={"LOSSQUIZ_NOW": now.isoformat(), "LOSSQUIZ_HOME": str(where)})
            assert result.exit_code == 0, result.output
            infos.append(json.loads(result.output))
        original, imported = infos
        for key in ("state", "due", "lapses", "reviews"):
            assert imported.get(key) == original.get(key), (card, key)
    stats = []
    for where, folder in ((home, deck), (fresh, back)):
        args = ["stats", "--deck", str(folder), "--json"]
        result = runner.invoke(app, args, env={"LOSSQUIZ_NOW": now.isoformat(), "LOSSQUIZ_HOME": str(where)})
        assert result.exit_code == 0, result.output
        stats.append(json.loads(result.output))
    assert stats[1] == stats[0]


def _v1_package(path: Path, tmp: Path, *, scheduled: bool) -> None:
    """A package as Anki before v2 wrote it: a col conf with no schedVer (v1), a learning answer
    Good as ease 2 and Easy as ease 3 (rslib revlog/mod.rs: "In the V1 scheduler, 3 represents
    easy in the learning case"); with `scheduled`, the card is a review card (queue 2)."""
    import genanki

    model = genanki.Model(
        1_700_000_001,
        "Old Basic",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    deck = genanki.Deck(1_700_000_002, "Old")
    deck.add_note(genanki.Note(model=model, fields=["What is the Huber loss?", "Quadratic, then linear."], guid="h1"))
    plain = tmp / "plain.apkg"
    genanki.Package(deck).write_to_file(str(plain))
    raw = tmp / "collection.anki2"
    with zipfile.ZipFile(plain) as z:
        raw.write_bytes(z.read("collection.anki2"))
        media = z.read("media")
    at = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)
    with sqlite3.connect(raw) as db:
        assert "schedVer" not in json.loads(db.execute("select conf from col").fetchone()[0])
        (cid,) = db.execute("select id from cards").fetchone()
        for n, (ease, kind) in enumerate(((2, 0), (3, 0), (2, 1), (1, 1), (2, 2))):  # v1 eases
            stamp = int((at + timedelta(days=n)).timestamp() * 1000)
            db.execute(
                "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) values (?,?,?,?,?,?,?,?,?)",
                (stamp, cid, -1, ease, 1, 0, 2500, 5000, kind),
            )
        if scheduled:
            db.execute("update cards set type = 2, queue = 2, due = 4000, ivl = 3 where id = ?", (cid,))
    with zipfile.ZipFile(path, "w") as z:
        z.write(raw, "collection.anki2")
        z.writestr("media", media)


@pytest.mark.parametrize("scheduled", [False, True], ids=["all-new", "scheduled"])
def test_a_v1_package_is_read_with_v1_buttons(runner: CliRunner, tmp_path: Path, scheduled: bool) -> None:
    """Anki's importer upgrades a v1 review log only when a card is scheduled; either way the
    learning answers come in as Good and Easy, never Hard and Good, and never upgraded twice."""
    package = tmp_path / "old.apkg"
    _v1_package(package, tmp_path, scheduled=scheduled)
    home = tmp_path / "home"
    args = ["import", str(package), "--into", str(tmp_path / "old"), "--with-history"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "history: 5 reviews replayed into 1 card's schedule" in result.output
    assert [r[2] for r in _reviews(home)] == [3, 4, 2, 1, 3]  # learn Good, learn Easy, Hard, Again, relearn Good
