"""Anki both ways, checked with Anki's own library: every export imports into a real collection,
a renamed deck folder updates the same notes, and a package made by Anki imports, drills and
keeps its review history."""

from __future__ import annotations

import json
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck

pytest.importorskip("anki", reason="the interop tests need Anki's library (the dev extra installs it)")

from tests.anki_packages import build_package, import_into  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"
NOTES = FIXTURES / "notes"


def _deck(tmp_path: Path, name: str = "mydeck") -> Path:
    """A deck made by `import`, with concept, quick-fire and cloze cards."""
    target = tmp_path / name
    result = CliRunner().invoke(app, ["import", str(NOTES / "obsidian.md"), "--into", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_apkg_export_imports_into_anki_and_a_renamed_folder_updates_the_same_notes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = _deck(tmp_path)
    first = tmp_path / "v1.apkg"
    result = runner.invoke(app, ["export", "--deck", str(deck), str(first)])
    assert result.exit_code == 0, result.output
    assert "exported 11 cards" in result.output
    col = tmp_path / "anki"
    col.mkdir()
    log, notes, _ = import_into(col, first)
    assert (len(log.new), len(log.updated), len(log.conflicting), len(log.missing_notetype)) == (11, 0, 0, 0)
    assert len(notes) == 11
    guids = set(notes)
    assert all(g.startswith("lossquiz::mydeck::") for g in guids)  # not the built-in deck's lossquiz::<id>
    assert {tuple(n.tags) for n in notes.values()} <= {("regression",), ("classification",)}
    types = {n.type for n in notes.values()}
    assert types == {"lossquiz Basic", "lossquiz Cloze"}
    cloze = [n for n in notes.values() if n.type == "lossquiz Cloze"]
    assert len(cloze) == 5 and all("{{c1::" in n.fields[0] for n in cloze)

    # rename the folder, edit one answer, export again: the same notes are updated, none added
    renamed = tmp_path / "renamed-deck"
    shutil.move(deck, renamed)
    notes_file = tmp_path / "edited.md"
    notes_file.write_text(
        (NOTES / "obsidian.md").read_text(encoding="utf-8").replace("so outliers pull less.", "so outliers pull less!"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(notes_file), "--into", str(renamed), "--force"])
    assert result.exit_code == 0, result.output
    second = tmp_path / "v2.apkg"
    later = time.time() + 60  # Anki updates a note when the package's copy is newer: export a minute later
    monkeypatch.setattr(time, "time", lambda: later)
    assert runner.invoke(app, ["export", "--deck", str(renamed), str(second)]).exit_code == 0
    log, notes, _ = import_into(col, second)
    assert len(log.new) == 0
    assert len(log.updated) == 11  # every back names its source, now edited.md: all updated, none added
    assert len(notes) == 11 and set(notes) == guids
    assert any("outliers pull less!" in n.fields[1] for n in notes.values())


def test_apkg_formulas_are_mathjax(runner: CliRunner, tmp_path: Path) -> None:
    deck = tmp_path / "mini"
    shutil.copytree(FIXTURES / "decks" / "mini", deck)
    out = tmp_path / "mini.apkg"
    assert runner.invoke(app, ["export", "--deck", str(deck), "--format", "apkg", str(out)]).exit_code == 0
    col = tmp_path / "anki"
    col.mkdir()
    _, notes, _ = import_into(col, out)
    backs = " ".join(n.fields[1] for n in notes.values())
    assert "\\[\\frac{1}{N}" in backs and "$" not in backs


def test_text_export_guid_is_deck_and_card_id_and_no_mid_sentence_breaks(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "wrapped.md"
    notes.write_text(
        "# Regression\n\n#### Q: What is the Huber loss?\nQuadratic for small residuals and\nlinear beyond delta.\n\n"
        "- one point\n- another point\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "folder-a")]).exit_code == 0
    result = runner.invoke(app, ["export", "--deck", str(tmp_path / "folder-a"), "--format", "anki"])
    assert result.exit_code == 0, result.output
    row = [line for line in result.output.splitlines() if not line.startswith("#")][0]
    guid, _, back, _ = row.split("\t")
    assert guid == "lossquiz::folder-a::huber-loss"
    assert "residuals and linear beyond" in back
    assert "and<br" not in back


def test_apkg_with_history_carries_the_review_log(runner: CliRunner, tmp_path: Path) -> None:
    package = tmp_path / "src.apkg"
    build_package(package)
    deck, data = tmp_path / "fromanki", tmp_path / "home"
    args = ["import", str(package), "--into", str(deck), "--with-history", "--data-dir", str(data)]
    assert runner.invoke(app, args).exit_code == 0
    out = tmp_path / "back.apkg"
    result = runner.invoke(app, ["export", "--deck", str(deck), "--data-dir", str(data), "--with-history", str(out)])
    assert result.exit_code == 0, result.output
    assert "with 2 reviews" in result.output
    col = tmp_path / "anki"
    col.mkdir()
    log, notes, revlog = import_into(col, out)
    assert len(notes) == 5 and revlog == 2
    from tests.anki_packages import collection

    anki = collection(col)
    try:  # the card answered twice is a review card in Anki, with its FSRS memory
        rows = anki.db.all("select type, ivl, data from cards where type = 2")
    finally:
        anki.close()
    assert len(rows) == 1 and rows[0][1] >= 1 and '"s"' in rows[0][2]


def test_anki_package_imports_drills_and_keeps_its_history(runner: CliRunner, tmp_path: Path) -> None:
    package = tmp_path / "src.apkg"
    made = build_package(package)
    deck, data = tmp_path / "fromanki", tmp_path / "home"
    result = runner.invoke(
        app, ["import", str(package), "--into", str(deck), "--with-history", "--data-dir", str(data), "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["format"] == "apkg"
    assert summary["cards"] == made["cards"]  # Basic 1 + reversed 2 + cloze 2
    assert {k: v["cards"] for k, v in summary["kinds"].items()} == {"quickfire": 3, "cloze": 2}
    assert summary["history"]["reviews_added"] == 2

    import yaml

    cards = [c for p in sorted((deck / "cards").glob("*.yaml")) for c in yaml.safe_load(p.read_text())]
    by_q = {c["question"]: c for c in cards}
    huber = by_q["What is the **Huber** loss?"]
    assert "$\\tfrac12 r^2$" in huber["answer"] and "\\(" not in huber["answer"]
    assert {"MAE", "mean absolute error"} <= set(by_q)
    gaps = sorted(q for q, c in by_q.items() if c["kind"] == "cloze")
    assert gaps == [
        "Focal loss uses […] and down-weights easy examples.",
        "Focal loss uses γ = 2 and down-weights […] examples.",
    ]
    assert len({by_q[g]["family"] for g in gaps}) == 1

    # the history is in the store: Anki's two Good answers, replayed through FSRS
    history = runner.invoke(app, ["history", "export", "--deck", str(deck), "--data-dir", str(data)])
    lines = [json.loads(line) for line in history.output.splitlines()]
    reviews = [r for r in lines if r["type"] == "review"]
    assert [(r["card"], r["rating"], r["reviewed_at"][:10]) for r in reviews] == [
        (huber["id"], 3, "2025-01-01"),
        (huber["id"], 3, "2025-01-04"),
    ]
    state = next(r for r in lines if r["type"] == "card" and r["card"] == huber["id"])
    assert state["fsrs"]["last_review"].startswith("2025-01-04")

    # drill the cloze card: "easy" is a short term, typed and checked (case-insensitive)
    easy = by_q["Focal loss uses γ = 2 and down-weights […] examples."]["id"]
    result = runner.invoke(
        app,
        ["drill", "--deck", str(deck), "--data-dir", str(data), "--card", easy, "--time-limit", "0"],
        input=" EASY \n",
    )
    assert result.exit_code == 0, result.output
    assert "down-weights […] examples" in result.output
    assert "✓ right" in result.output
    history = runner.invoke(app, ["history", "export", "--deck", str(deck), "--data-dir", str(data)])
    reviews = [json.loads(line) for line in history.output.splitlines() if '"review"' in line]
    assert len(reviews) == 3
    assert reviews[-1]["card"] == easy and reviews[-1]["correct"] is True and reviews[-1]["answer"] == "EASY"


def test_an_unreadable_package_says_so(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "broken.apkg"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = runner.invoke(app, ["import", str(bad), "--into", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "broken.apkg: not an Anki package Anki can read" in result.output


def test_a_collection_package_imports(runner: CliRunner, tmp_path: Path) -> None:
    from tests.anki_packages import collection

    col = collection(tmp_path)
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = "What is the KL divergence?", "The relative entropy \\(D_{KL}(P\\|Q)\\)."
    col.add_note(note, col.decks.id("Probabilistic"))
    col.export_collection_package(str(tmp_path / "all.colpkg"), include_media=False, legacy=False)
    col.close()
    result = runner.invoke(app, ["import", str(tmp_path / "all.colpkg"), "--into", str(tmp_path / "d"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["cards"] == 1
    import yaml

    [card] = yaml.safe_load(next((tmp_path / "d" / "cards").glob("*.yaml")).read_text(encoding="utf-8"))
    assert card["question"] == "What is the KL divergence?"
    assert card["answer"] == "The relative entropy $D_{KL}(P\\|Q)$."


def test_an_anki_text_export_is_refused_not_read_as_garbage(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "lossquiz.txt"
    deck = tmp_path / "mini"
    shutil.copytree(FIXTURES / "decks" / "mini", deck)
    assert runner.invoke(app, ["export", "--deck", str(deck), "--format", "anki", str(out)]).exit_code == 0
    result = runner.invoke(app, ["import", str(out), "--into", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert "lossquiz.txt:1: an Anki text export" in result.output and ".apkg" in result.output
    assert not (tmp_path / "d").exists()


def test_apkg_with_history_keeps_learning_review_and_relearning_cards_as_anki_has_them(
    runner: CliRunner, tmp_path: Path, utc: None
) -> None:
    """FSRS learning / review / relearning cards become Anki type and queue 1/1, 2/2 and 3/1
    (rslib card/mod.rs: CardType Learn 1, Review 2, Relearn 3; CardQueue Learn 1, Review 2).

    At a pinned midday: on the real clock, a 10-minute step taken just before the 04:00 day start
    crosses it and is rightly Anki's day-learn queue 3 instead."""
    noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
    notes = tmp_path / "three.md"
    notes.write_text(
        "#flashcards\n\n# Regression\n\n"
        "What is the Huber loss?\n?\nQuadratic for small residuals, linear beyond delta.\n\n"
        "What does MAE estimate?\n?\nThe conditional median of the target.\n\n"
        "What does MSE estimate?\n?\nThe conditional mean of the target.\n",
        encoding="utf-8",
    )
    deck = tmp_path / "three"
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)]).exit_code == 0
    answers = (("huber-loss", "3"), ("mae-estimate", "4"), ("mse-estimate", "4"), ("mse-estimate", "1"))
    for minute, (card, rating) in enumerate(answers):
        args = ["drill", "--deck", str(deck), "--card", card, "--time-limit", "0"]
        at = {"LOSSQUIZ_NOW": (noon + timedelta(minutes=minute)).isoformat()}
        result = runner.invoke(app, args, input=f"\n{rating}\n", env=at)
        assert result.exit_code == 0, result.output
    out = tmp_path / "three.apkg"
    at = {"LOSSQUIZ_NOW": (noon + timedelta(minutes=5)).isoformat()}
    result = runner.invoke(app, ["export", "--deck", str(deck), "--with-history", str(out)], env=at)
    assert result.exit_code == 0, result.output
    col = tmp_path / "anki"
    col.mkdir()
    import_into(col, out)
    from tests.anki_packages import collection

    anki = collection(col)
    try:
        rows = anki.db.all(
            "select n.guid, c.type, c.queue, c.due, c.ivl, c.left from cards c join notes n on n.id = c.nid"
        )
        learning = anki.find_cards("is:learn")
        due_cards = anki.find_cards("is:review")
    finally:
        anki.close()
    state = {guid.rsplit("::", 1)[1]: (kind, queue) for guid, kind, queue, *_ in rows}
    assert state == {"huber-loss": (1, 1), "mae-estimate": (2, 2), "mse-estimate": (3, 1)}
    assert len(learning) == 2 and len(due_cards) == 2  # Anki's own search: relearning is both learn and review
    now = noon.timestamp()
    for guid, _, queue, due, ivl, left in rows:
        if queue == 1:  # a learning card is due at its step's time (epoch seconds), within minutes
            assert now - 60 < due < now + 3600 and left >= 1
        if guid.endswith("mse-estimate"):
            assert ivl >= 1  # a relearning card keeps the interval it lapsed from


def test_anki_backs_have_no_empty_key_point_list_and_show_the_formula_once(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "formula.md"
    notes.write_text(
        "#flashcards\n\n# Regression\n\nWhat is the MSE?\n?\nThe mean of squared residuals: "
        "$$\\frac1N\\sum_i (y_i-\\hat y_i)^2$$\n\nHuber default δ::1.0\n",
        encoding="utf-8",
    )
    deck = tmp_path / "formula"
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)]).exit_code == 0
    text = runner.invoke(app, ["export", "--deck", str(deck), "--format", "anki"])
    assert text.exit_code == 0, text.output
    text_backs = [line.split("\t")[2] for line in text.output.splitlines() if not line.startswith("#")]
    out = tmp_path / "formula.apkg"
    assert runner.invoke(app, ["export", "--deck", str(deck), str(out)]).exit_code == 0
    col = tmp_path / "anki"
    col.mkdir()
    _, package_notes, _ = import_into(col, out)
    apkg_backs = [n.fields[1] for n in package_notes.values()]
    for backs in (text_backs, apkg_backs):
        assert len(backs) == 2
        assert not any("<ul></ul>" in b or "Key points" in b for b in backs)  # neither card has key points
        (mse,) = [b for b in backs if "squared residuals" in b]
        assert mse.count("\\frac1N") == 1


def test_a_learning_card_due_on_a_later_day_is_anki_day_learn() -> None:
    from datetime import UTC, datetime, timedelta

    from lossquiz.deck.anki_package import HistoryCard, _anki_state

    now = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    later = HistoryCard(((now, 3, 0),), now + timedelta(days=2), 2.3, 5.0, state=1, step=1)
    kind, queue, due, ivl, left = _anki_state(later, now, now)
    assert (kind, queue, ivl, left) == (1, 3, 0, 1)  # CardQueue::DayLearn: due is a day number, not seconds
    assert due < 100_000
    soon = HistoryCard(((now, 1, 0),), now + timedelta(minutes=10), 2.5, 7.0, state=3, step=0)
    assert _anki_state(soon, now, now)[:2] == (3, 1) and _anki_state(soon, now, now)[2] == int(soon.due.timestamp())


def test_a_deck_sharing_a_card_id_with_the_builtin_deck_never_overwrites_its_anki_note(
    runner: CliRunner, tmp_path: Path
) -> None:
    """Newcomer F1: your `mse` card and the built-in `mse`, both exported, imported into one real
    Anki collection: two notes, the built-in one untouched."""
    notes = tmp_path / "mine.md"
    notes.write_text("MSE::the mean of squared residuals\n", encoding="utf-8")
    mine = tmp_path / "obsdeck"
    assert runner.invoke(app, ["import", str(notes), "--into", str(mine), "--format", "obsidian"]).exit_code == 0
    assert "mse" in {c.id for c in load_deck(mine).cards}
    builtin, own = tmp_path / "builtin.apkg", tmp_path / "own.apkg"
    assert runner.invoke(app, ["export", str(builtin)]).exit_code == 0
    assert runner.invoke(app, ["export", "--deck", str(mine), str(own)]).exit_code == 0
    col = tmp_path / "anki"
    col.mkdir()
    _, before, _ = import_into(col, builtin)
    log, after, _ = import_into(col, own)
    assert len(log.updated) == 0 and len(log.new) == len(load_deck(mine).cards)
    assert after["lossquiz::mse"].fields == before["lossquiz::mse"].fields  # the built-in note, as it was
    assert "lossquiz::obsdeck::mse" in after
