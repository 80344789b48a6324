"""`lossquiz history export/import`: round trips, idempotent merges, all-or-nothing validation."""

from __future__ import annotations

import json
import random
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.clock import iso
from lossquiz.deck.cards import load_deck
from lossquiz.progress import scheduling
from lossquiz.progress.history import FORMAT, FORMAT_VERSION, export_lines, import_file
from lossquiz.progress.stats import compute_stats
from lossquiz.progress.store import Advance, CardRow, ReviewInput, Store
from lossquiz.progress.synthetic import generate_history

NOW = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)


pytestmark = pytest.mark.usefixtures("utc")  # conftest: local time is UTC


def _snapshot(path: Path) -> dict[str, list[Any]]:
    """Everything that matters in a progress database, independent of row ids."""
    conn = sqlite3.connect(path)
    try:
        cards = conn.execute("SELECT slug, fsrs_json, due, state, lapses FROM cards ORDER BY slug").fetchall()
        return {
            # fsrs_json carries the card's row id, which differs between databases: compare the rest
            "cards": [(slug, _without_id(state), *rest) for slug, state, *rest in cards],
            "reviews": conn.execute(
                """SELECT c.slug, r.reviewed_at, r.rating, r.correct, r.answer, r.expected, r.duration_ms,
                          r.cram, r.undone, s.started_at
                     FROM reviews r JOIN cards c ON c.id = r.card_id LEFT JOIN sessions s ON s.id = r.session_id
                    ORDER BY c.slug, r.reviewed_at"""
            ).fetchall(),
            "sessions": conn.execute("SELECT started_at, ended_at, cram FROM sessions ORDER BY started_at").fetchall(),
        }
    finally:
        conn.close()


def _without_id(fsrs_json: str | None) -> dict[str, Any] | None:
    if fsrs_json is None:
        return None
    state: dict[str, Any] = json.loads(fsrs_json)
    state.pop("card_id")
    return state


def _drill_like(store: Store, slug: str, rating: int, at: datetime, **kw: Any) -> None:
    """A review as the drill records it, with py-fsrs fuzz ON (due dates a replay cannot guess)."""
    scheduler = scheduling.make_scheduler(fuzz=True)

    def advance(row: CardRow) -> Advance:
        before = scheduling.load(row.fsrs_json, row.id, at)
        after = scheduling.review(scheduler, before, scheduling.RATING_KEYS[str(rating)], now=at)
        lapse = scheduling.is_lapse(before, scheduling.RATING_KEYS[str(rating)])
        return Advance(scheduling.dump(after), iso(after.due), scheduling.state_of(after), lapse)

    cram = kw.pop("cram", False)
    store.record_review(ReviewInput(slug, rating, at, 1500, cram=cram, **kw), None if cram else advance)


@pytest.fixture
def source(tmp_path: Path, deck_dir: Path) -> Path:
    """A data dir with a synthetic history plus fuzzed drill reviews, a cram and an undone one."""
    random.seed(3)
    data = tmp_path / "source"
    deck = load_deck(deck_dir)
    with Store.open(data) as store:
        generate_history(store, deck, 300, seed=5, now=NOW - timedelta(days=20))
        for day in range(1, 20, 3):
            _drill_like(store, "bias-variance", 3, NOW - timedelta(days=20 - day), answer="bias² + variance")
        _drill_like(store, "square", 1, NOW - timedelta(hours=2), correct=False, answer="0.3", expected=0.25)
        _drill_like(store, "logistic", 3, NOW - timedelta(hours=1), cram=True)
        session = store.start_session(NOW - timedelta(minutes=30), cram=False)
        _drill_like(store, "absolute", 4, NOW - timedelta(minutes=20), correct=True, session_id=session)
        store.undo_last(session)
    return data


def _export(runner: CliRunner, data: Path, target: Path) -> None:
    result = runner.invoke(app, ["history", "export", str(target), "--data-dir", str(data)])
    assert result.exit_code == 0, result.output
    assert f"to {target}" in result.stdout


def _import(runner: CliRunner, data: Path, file: Path, *extra: str) -> Any:
    return runner.invoke(app, ["history", "import", str(file), "--data-dir", str(data), *extra])


def test_export_is_json_lines_with_a_versioned_header(runner: CliRunner, source: Path) -> None:
    result = runner.invoke(app, ["history", "export", "--data-dir", str(source)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    header = lines[0]
    assert (header["type"], header["format"], header["version"]) == ("header", FORMAT, FORMAT_VERSION)
    kinds = [line["type"] for line in lines[1:]]
    assert header["reviews"] == kinds.count("review") == _count(source, "reviews")
    assert header["cards"] == kinds.count("card") == 4
    assert header["sessions"] == kinds.count("session") == _count(source, "sessions")
    reviews = [line for line in lines if line["type"] == "review"]
    assert [r["reviewed_at"] for r in reviews] == sorted(r["reviewed_at"] for r in reviews)
    assert sum(r["undone"] for r in reviews) >= 1 and sum(r["cram"] for r in reviews) >= 1
    square = [r for r in reviews if r["card"] == "square" and r["answer"] == "0.3"]
    assert square and square[0]["expected"] == 0.25 and square[0]["correct"] is False


def _count(data: Path, table: str) -> int:
    with sqlite3.connect(data / "progress.db") as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_round_trip_into_a_fresh_data_dir_gives_identical_stats(
    runner: CliRunner, source: Path, tmp_path: Path, deck_dir: Path
) -> None:
    file, fresh = tmp_path / "history.jsonl", tmp_path / "fresh"
    _export(runner, source, file)
    result = _import(runner, fresh, file)
    assert result.exit_code == 0, result.output
    assert f"{_count(source, 'reviews')} reviews added" in result.stdout

    assert _snapshot(fresh / "progress.db") == _snapshot(source / "progress.db")
    deck = load_deck(deck_dir)
    for now in (NOW, NOW + timedelta(days=3)):
        with Store.open(source) as a, Store.open(fresh) as b:
            assert compute_stats(b, deck, now=now).to_dict() == compute_stats(a, deck, now=now).to_dict()

    def cli_stats(data: Path) -> dict[str, Any]:
        out = runner.invoke(app, ["stats", "--deck", str(deck_dir), "--data-dir", str(data), "--json"]).stdout
        figures: dict[str, Any] = json.loads(out)
        figures.pop("generated_at")
        return figures

    assert cli_stats(fresh) == cli_stats(source)


def test_importing_the_same_file_twice_changes_nothing(runner: CliRunner, source: Path, tmp_path: Path) -> None:
    file, target = tmp_path / "history.jsonl", tmp_path / "target"
    _export(runner, source, file)
    assert _import(runner, target, file).exit_code == 0
    before = _snapshot(target / "progress.db")
    again = _import(runner, target, file, "--json")
    assert again.exit_code == 0, again.output
    said = json.loads(again.stdout)
    assert isinstance(said.pop("deck"), str) and isinstance(said.pop("cards_not_in_deck"), list | None)
    assert said == {
        "reviews_added": 0,
        "reviews_present": _count(source, "reviews"),
        "sessions_added": 0,
        "cards_added": 0,
        "cards_rebuilt": 0,
        "cards_reviewed": 0,
    }
    assert _snapshot(target / "progress.db") == before
    # and importing into the database it came from adds nothing either
    assert json.loads(_import(runner, source, file, "--json").stdout)["reviews_added"] == 0


def test_merge_adds_only_missing_reviews_and_replays_the_schedule(
    runner: CliRunner, tmp_path: Path, deck_dir: Path
) -> None:
    """Two machines: B has A's early reviews plus later ones; A imports B's file."""
    deck = load_deck(deck_dir)
    a, b = tmp_path / "a", tmp_path / "b"
    with Store.open(a) as store:
        generate_history(store, deck, 120, seed=1, now=NOW - timedelta(days=10))
    file = tmp_path / "a.jsonl"
    _export(runner, a, file)
    assert _import(runner, b, file).exit_code == 0
    with Store.open(b) as store:
        store.sync_cards((c.id, c.content_hash()) for c in deck.cards)
        for hours in (80, 30, 5):
            _drill_like(store, "bias-variance", 3, NOW - timedelta(hours=hours))
        _drill_like(store, "logistic", 1, NOW - timedelta(hours=1))
    file_b = tmp_path / "b.jsonl"
    _export(runner, b, file_b)

    result = _import(runner, a, file_b, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reviews_added"] == 4
    merged, expected = _snapshot(a / "progress.db"), _snapshot(b / "progress.db")
    assert merged["reviews"] == expected["reviews"]
    assert len(set(merged["reviews"])) == len(merged["reviews"])  # no duplicates
    # The cards that gained reviews were replayed; the replay matches B's memory state, so B's
    # state is kept whole, including the fuzzed due date B's drill chose.
    assert merged["cards"] == expected["cards"]
    with Store.open(a) as store:
        row = store.cards()["logistic"]
        assert row.state is not None and row.fsrs_json is not None


def _write(path: Path, lines: list[Any]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines), encoding="utf-8")
    return path


HEADER = {"type": "header", "format": FORMAT, "version": FORMAT_VERSION}
CARD = {"type": "card", "card": "square", "content_hash": "x", "state": None, "due": None, "lapses": 0, "fsrs": None}


def _review(**changes: Any) -> dict[str, Any]:
    review = {
        "type": "review",
        "card": "square",
        "reviewed_at": "2025-01-01T09:00:00+00:00",
        "rating": 3,
        "correct": True,
        "answer": "0.25",
        "expected": 0.25,
        "duration_ms": 1200,
        "cram": False,
        "undone": False,
        "session": None,
    }
    review.update(changes)
    return review


def test_a_malformed_file_imports_nothing_and_names_every_bad_line(
    runner: CliRunner, source: Path, tmp_path: Path
) -> None:
    before = _snapshot(source / "progress.db")
    bad = _write(
        tmp_path / "bad.jsonl",
        [
            HEADER,
            CARD,
            _review(reviewed_at="2025-01-02T09:00:00+00:00"),  # fine, but must not be imported
            "{not json",  # line 4
            _review(rating=7),  # line 5
            _review(reviewed_at="yesterday"),  # line 6
            _review(card="no-such-card"),  # line 7
            {"type": "mystery"},  # line 8
            _review(duration_ms=-5, session=99),  # line 9: two problems
            "",
            ["a", "list"],  # line 11
        ],
    )
    result = _import(runner, source, bad)
    assert result.exit_code == 1
    err = result.stderr
    assert err.startswith(f"error: {bad}: not imported (")
    assert "nothing was changed" in err
    for number in (4, 5, 6, 7, 8, 9, 11):
        assert f"line {number}: " in err, number
    for number in (1, 2, 3, 10):
        assert f"line {number}: " not in err, number
    assert "'rating' must be 1 to 4, got 7" in err
    assert "review of card 'no-such-card'" in err
    assert "refers to session 99" in err and "'duration_ms' must be at least 0" in err
    assert "Traceback" not in result.output
    assert _snapshot(source / "progress.db") == before
    # eleventh newcomer pass F7: into a data directory that does not exist, nothing is created
    fresh = tmp_path / "not-yet"
    again = _import(runner, fresh, bad)
    assert again.exit_code == 1 and "nothing was changed" in again.stderr
    assert not fresh.exists()


def test_not_a_history_file_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    cases = {
        "notes.md": "# my notes\nnot json at all\n",
        "other.jsonl": json.dumps({"type": "something", "format": "else"}) + "\n",
        "empty.jsonl": "",
        "newer.jsonl": json.dumps({**HEADER, "version": FORMAT_VERSION + 1}) + "\n",
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = _import(runner, tmp_path / "data", tmp_path / name)
        assert result.exit_code == 1, name
        assert len(result.stderr.strip().splitlines()) == 2, (name, result.stderr)  # message + one problem
    assert "newer than this lossquiz reads" in _import(runner, tmp_path / "data", tmp_path / "newer.jsonl").stderr
    missing = _import(runner, tmp_path / "data", tmp_path / "missing.jsonl")
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def test_import_from_stdin_and_reviews_of_already_stored_cards(runner: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    text = "\n".join(json.dumps(x) for x in (HEADER, CARD, _review())) + "\n"
    result = runner.invoke(app, ["history", "import", "-", "--data-dir", str(data)], input=text)
    assert result.exit_code == 0, result.output
    assert "imported stdin: 1 review added to 1 card;" in result.stdout
    # a second file without a card line may still refer to the card now stored
    later = _write(tmp_path / "later.jsonl", [HEADER, _review(reviewed_at="2025-01-03T09:00:00Z", rating=1)])
    assert _import(runner, data, later).exit_code == 0
    with Store.open(data) as store:
        row = store.cards()["square"]
        log = [(3, "2025-01-01T09:00:00.000000+00:00"), (1, "2025-01-03T09:00:00.000000+00:00")]
        state, lapses = scheduling_replay(log)
        assert row.fsrs_json == state and row.lapses == lapses


def scheduling_replay(log: list[tuple[int, str]]) -> tuple[str, int]:
    """The expected state straight from py-fsrs (fuzz off, card id 1: the first stored card)."""
    from fsrs import Card, Rating, Scheduler, State

    scheduler = Scheduler(enable_fuzzing=False)
    card, lapses = Card(card_id=1, due=datetime.fromisoformat(log[0][1])), 0
    for rating, at in log:
        lapses += card.state == State.Review and rating == 1
        card, _ = scheduler.review_card(card, Rating(rating), review_datetime=datetime.fromisoformat(at))
    return card.to_json(), lapses


def test_export_lines_of_an_empty_store(tmp_path: Path) -> None:
    with Store.open(tmp_path / "data") as store:
        lines = list(export_lines(store, now=NOW))
    assert len(lines) == 1 and json.loads(lines[0])["reviews"] == 0


def test_core_import_is_all_or_nothing(tmp_path: Path, source: Path) -> None:
    """A duplicate card line is caught in validation: the store keeps exactly what it had."""
    file = _write(tmp_path / "dup.jsonl", [HEADER, CARD, CARD, _review()])
    before = _snapshot(source / "progress.db")
    from lossquiz.errors import HistoryError

    with Store.open(source) as store, pytest.raises(HistoryError, match=r"line 3: card 'square' appears twice"):
        import_file(store, file)
    assert _snapshot(source / "progress.db") == before


def test_an_export_says_which_deck_it_holds_and_names_the_others(tmp_path: Path) -> None:
    """Newcomer F6: reviews of two decks; exporting the built-in one says so, names the other deck
    (reviews a user might think were backed up), and carries only the sessions of its own reviews."""
    runner = CliRunner()
    env = {"LOSSQUIZ_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}
    mini = Path(__file__).parent / "fixtures" / "decks" / "mini"
    drilled = runner.invoke(app, ["drill", "-k", "concept", "-n", "1"], input="\n3\n", env=env)
    assert drilled.exit_code == 0, drilled.output
    other = runner.invoke(app, ["drill", "--deck", str(mini), "-n", "1"], input="\n3\n", env=env)
    assert other.exit_code == 0, other.output
    out = tmp_path / "backup.jsonl"
    result = runner.invoke(app, ["history", "export", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert "exported 1 review, " in result.stdout and "1 session of the built-in deck" in result.stdout
    assert f"other decks have reviews too, not in this file: {mini.resolve()} (1 review)" in " ".join(
        result.stderr.split()
    )
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    sessions = [line for line in lines if line["type"] == "session"]
    reviews = [line for line in lines if line["type"] == "review"]
    assert len(reviews) == 1 and [s["id"] for s in sessions] == [reviews[0]["session"]]


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_a_history_file_goes_back_into_the_deck_it_was_exported_from(tmp_path: Path, via: str) -> None:
    """Fifth newcomer pass F1: a file of your own deck, imported without --deck, went into the
    built-in deck's progress ("3 reviews added", your deck still empty). The header names the deck,
    read once also from stdin (`history export | history import -` went into the built-in deck)."""
    runner = CliRunner()
    mini = Path(__file__).parent / "fixtures" / "decks" / "mini"
    home, other = str(tmp_path / "home"), str(tmp_path / "other")
    drilled = runner.invoke(app, ["drill", "--deck", str(mini), "-n", "1"], input="\n3\n", env={"LOSSQUIZ_HOME": home})
    assert drilled.exit_code == 0, drilled.output
    out = tmp_path / "mini.jsonl"
    exported = runner.invoke(app, ["history", "export", "--deck", str(mini), str(out)], env={"LOSSQUIZ_HOME": home})
    assert exported.exit_code == 0, exported.output
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["deck"] == str(mini.resolve())
    if via == "file":
        result = runner.invoke(app, ["history", "import", str(out)], env={"LOSSQUIZ_HOME": other})
    else:
        text = out.read_text(encoding="utf-8")
        result = runner.invoke(app, ["history", "import", "-"], input=text, env={"LOSSQUIZ_HOME": other})
    assert result.exit_code == 0, result.output
    assert f"the file holds deck {mini.resolve()}" in " ".join(result.stderr.split())
    stats = lambda *deck: json.loads(  # noqa: E731
        runner.invoke(app, ["stats", "--json", *deck], env={"LOSSQUIZ_HOME": other}).stdout
    )
    assert stats("--deck", str(mini))["reviews"]["total"] == 1
    assert stats()["reviews"]["total"] == 0  # the built-in deck's progress is untouched
    # ninth newcomer pass F5: "No reviews yet" right after the import looked like a failed import
    empty = runner.invoke(app, ["stats"], env={"LOSSQUIZ_HOME": other})
    said = " ".join(empty.stderr.split())
    assert f"note: other decks have reviews: {mini.resolve()} (1 review); see them with lossquiz stats --deck" in said


def test_an_import_warns_of_reviews_no_deck_here_shows(tmp_path: Path) -> None:
    """Sixth newcomer pass F4: a file imported with --deck into a deck lacking its cards, or naming a
    deck folder that does not exist here, said "3 reviews added" and nothing else: the reviews were
    stored where no drill or stats would ever show them."""
    runner = CliRunner()
    mini = Path(__file__).parent / "fixtures" / "decks" / "mini"
    home = {"LOSSQUIZ_HOME": str(tmp_path / "home")}
    drilled = runner.invoke(app, ["drill", "-k", "concept", "-n", "2"], input="\n3\n\n3\n", env=home)
    assert drilled.exit_code == 0, drilled.output
    out = tmp_path / "builtin.jsonl"
    assert runner.invoke(app, ["history", "export", str(out)], env=home).exit_code == 0
    reviewed = sorted({json.loads(line)["card"] for line in out.read_text().splitlines() if '"review"' in line})
    assert len(reviewed) == 2

    other = {"LOSSQUIZ_HOME": str(tmp_path / "other")}
    into_mini = runner.invoke(app, ["history", "import", str(out), "--deck", str(mini)], env=other)
    assert into_mini.exit_code == 0, into_mini.output
    said = " ".join(into_mini.stderr.split())
    assert f"warning: 2 of the file's 2 reviewed cards are not in deck {mini.resolve()}" in said
    assert ", ".join(reviewed) in said
    as_json = runner.invoke(app, ["history", "import", str(out), "--deck", str(mini), "--json"], env=other)
    assert json.loads(as_json.stdout)["cards_not_in_deck"] == reviewed

    header, *rest = out.read_text().splitlines()
    moved = tmp_path / "moved.jsonl"
    gone = tmp_path / "no-such-deck"
    moved.write_text("\n".join([json.dumps({**json.loads(header), "deck": str(gone)}), *rest]) + "\n")
    elsewhere = runner.invoke(app, ["history", "import", str(moved)], env=other)
    assert elsewhere.exit_code == 0, elsewhere.output
    assert f"warning: there is no deck at {gone}" in " ".join(elsewhere.stderr.split())

    back = runner.invoke(app, ["history", "import", str(out)], env=other)  # the built-in deck has them all
    assert back.exit_code == 0 and "warning" not in back.stderr, back.stderr
