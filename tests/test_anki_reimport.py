"""A package lossquiz exported comes back with its card ids; the export counts the reviews the
package holds; a note's inequality is not taken for its formula (seventh newcomer pass F12-F14).
Checked with real Anki packages (genanki's export read back with Anki's own library)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lossquiz.cli import app

pytest.importorskip("anki", reason="the interop tests need Anki's library (the dev extra installs it)")

from tests.anki_packages import collection  # noqa: E402

T0 = datetime(2025, 3, 3, 12, 0, tzinfo=timezone.utc)


def _drill(runner: CliRunner, deck: Path, plan: list[tuple[datetime, str, int]]) -> None:
    for at, card, rating in plan:
        args = ["drill", "--deck", str(deck), "--card", card, "--time-limit", "0"]
        result = runner.invoke(app, args, input=f"\n{rating}\n", env={"LOSSQUIZ_NOW": at.isoformat()})
        assert result.exit_code == 0, result.output


def _ids(deck: Path) -> list[str]:
    return [c["id"] for path in sorted((deck / "cards").glob("*.yaml")) for c in yaml.safe_load(path.read_text())]


def _revlog_rows(package: Path, tmp: Path) -> int:
    raw = tmp / "raw.anki2"
    with zipfile.ZipFile(package) as z:
        raw.write_bytes(z.read("collection.anki2"))
    with sqlite3.connect(raw) as db:
        return int(db.execute("select count() from revlog").fetchone()[0])


def test_a_package_lossquiz_exported_imports_back_with_its_card_ids(
    runner: CliRunner, tmp_path: Path, deck_dir: Path, utc: None
) -> None:
    # the ids are the deck's own (`logistic`), not slugs of the question; the GUIDs carry them
    _drill(runner, deck_dir, [(T0, "logistic", 3), (T0 + timedelta(days=2), "bias-variance", 2)])
    out = tmp_path / "hist.apkg"
    now = T0 + timedelta(days=3)
    result = runner.invoke(app, ["export", "--deck", str(deck_dir), "--with-history", str(out)])
    assert result.exit_code == 0, result.output

    fresh, back = tmp_path / "fresh-home", tmp_path / "back"
    env = {"LOSSQUIZ_HOME": str(fresh), "LOSSQUIZ_NOW": now.isoformat()}
    result = runner.invoke(app, ["import", str(out), "--into", str(back), "--with-history"], env=env)
    assert result.exit_code == 0, result.output
    assert sorted(_ids(back)) == sorted(_ids(deck_dir)) == ["absolute", "bias-variance", "logistic", "square"]
    for card, reviews in (("logistic", 1), ("bias-variance", 1), ("square", 0)):
        args = ["card", "info", card, "--deck", str(back), "--json"]
        result = runner.invoke(app, args, env=env)
        assert result.exit_code == 0, result.output  # the id names the card
        assert len(json.loads(result.output).get("reviews") or []) == reviews, (card, result.output)


def _basic_package(tmp_path: Path, name: str, notes: list[tuple[str, str, str | None]]) -> Path:
    """An .apkg of Basic notes (front, back, GUID or None for Anki's own) in deck Losses, written by Anki."""
    from anki.collection import ExportAnkiPackageOptions

    col_dir = tmp_path / "anki"
    col_dir.mkdir()
    col = collection(col_dir)
    try:
        did = col.decks.id("Losses")
        for front, back, guid in notes:
            note = col.new_note(col.models.by_name("Basic"))
            note["Front"], note["Back"] = front, back
            if guid is not None:
                note.guid = guid
            col.add_note(note, did)
        out = tmp_path / name
        col.export_anki_package(
            out_path=str(out), options=ExportAnkiPackageOptions(with_scheduling=False, legacy=True), limit=None
        )
    finally:
        col.close()
    return out


def test_the_built_in_decks_guid_names_the_card_and_other_guids_give_slugs(runner: CliRunner, tmp_path: Path) -> None:
    out = _basic_package(
        tmp_path,
        "plain.apkg",
        [
            ("What does MAE estimate?", "The conditional median", None),
            # the built-in deck's GUID: lossquiz::<id>
            ("Compute the Huber loss for threshold delta", "Quadratic, then linear", "lossquiz::huber"),
            # the same id again (another deck): not given twice
            ("What is the Huber loss used for?", "Robust regression", "lossquiz::other::huber"),
            # a lossquiz-looking GUID that is no card id
            ("What does MSE estimate?", "The conditional mean", "lossquiz::../../etc"),
        ],
    )
    result = runner.invoke(app, ["import", str(out), "--into", str(tmp_path / "plain")])
    assert result.exit_code == 0, result.output
    assert sorted(_ids(tmp_path / "plain")) == ["huber", "huber-loss-used-for", "mae-estimate", "mse-estimate"]


def test_the_export_counts_the_reviews_the_package_holds(
    runner: CliRunner, tmp_path: Path, deck_dir: Path, utc: None
) -> None:
    # a card with a review leaves the deck (its review stays in progress): the package has no note
    # for it, so its review is not in the package, and the count says so
    _drill(runner, deck_dir, [(T0, "logistic", 3), (T0 + timedelta(minutes=1), "bias-variance", 3)])
    _drill(runner, deck_dir, [(T0 + timedelta(days=2), "bias-variance", 3)])
    (deck_dir / "cards" / "02-classification.yaml").unlink()  # `logistic` is gone
    out = tmp_path / "myh.apkg"
    result = runner.invoke(app, ["export", "--deck", str(deck_dir), "--with-history", str(out)])
    assert result.exit_code == 0, result.output
    assert _revlog_rows(out, tmp_path) == 2
    assert "exported 3 cards" in result.output and "with 2 reviews" in result.output, result.output


def test_an_inequality_in_an_anki_answer_is_not_its_formula(runner: CliRunner, tmp_path: Path) -> None:
    # the newcomer's Huber note (Anki 26.09, MathJax): `|r| \le \delta` is where the quadratic
    # part applies, not the loss; the answer has no equation, so the card has no formula box
    out = _basic_package(
        tmp_path,
        "real.apkg",
        [
            ("Huber loss", r"\(\frac12 r^2\) inside \(|r|\le\delta\), linear outside", None),
            ("MSE", r"The mean of squares: \(L = \frac1N \sum_i r_i^2\) when \(N \ge 1\)", None),
        ],
    )
    result = runner.invoke(app, ["import", str(out), "--into", str(tmp_path / "real")])
    assert result.exit_code == 0, result.output
    cards = {c["question"]: c for c in yaml.safe_load(next((tmp_path / "real" / "cards").glob("*.yaml")).read_text())}
    assert cards["Huber loss"].get("formula") is None
    assert r"$|r|\le\delta$" in cards["Huber loss"]["answer"]  # the condition stays in the answer
    assert cards["MSE"]["formula"] == r"L = \frac1N \sum_i r_i^2"  # an equation still is one


def _cards(deck: Path) -> dict[str, dict[str, object]]:
    return {c["id"]: c for path in sorted((deck / "cards").glob("*.yaml")) for c in yaml.safe_load(path.read_text())}


def test_an_own_deck_comes_back_from_its_package_as_it_was(runner: CliRunner, tmp_path: Path) -> None:
    """Ninth newcomer pass F1, F2: a deck exported to .apkg and imported back had the export's Key
    points block and footer in its answers (and as key points), and its quickfire cards became concept."""
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Classification\n\n#### Q: Why does focal loss add a factor to cross-entropy?\n"
        "A modulating factor down-weights easy examples. It focuses training on hard, misclassified examples.\n\n"
        "# Regression\n\n- **Default regression loss?** → Huber\n",
        encoding="utf-8",
    )
    deck, back = tmp_path / "mydeck", tmp_path / "fromapkg"
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)]).exit_code == 0
    assert runner.invoke(app, ["export", "--deck", str(deck), str(tmp_path / "my.apkg")]).exit_code == 0
    result = runner.invoke(app, ["import", str(tmp_path / "my.apkg"), "--into", str(back)])
    assert result.exit_code == 0, result.output
    before, after = _cards(deck), _cards(back)
    assert set(after) == set(before)
    for card_id, card in before.items():
        for field in ("kind", "question", "answer", "key_points"):
            assert after[card_id][field] == card[field], (card_id, field, after[card_id][field])
    assert {c["kind"] for c in after.values()} == {"concept", "quickfire"}


def test_the_built_in_deck_through_an_apkg_keeps_its_kinds_and_titles(runner: CliRunner, tmp_path: Path) -> None:
    """Tenth newcomer pass: the built-in deck exported to .apkg and imported back came back as
    concept cards titled by their questions. The footer's attributes carry kind and title; a card
    graded from a snippet (numeric, formula, …) has no snippet in a notes deck, so it is recalled
    as a concept card."""
    from lossquiz import paths
    from lossquiz.deck.cards import load_deck

    out, back = tmp_path / "all.apkg", tmp_path / "back"
    assert runner.invoke(app, ["export", str(out), "--no-run"]).exit_code == 0
    result = runner.invoke(app, ["import", str(out), "--into", str(back)], env={"LOSSQUIZ_HOME": str(tmp_path / "h")})
    assert result.exit_code == 0, result.output
    original = {c.id: c for c in load_deck(paths.builtin_deck()).cards}
    again = {c.id: c for c in load_deck(back).cards}
    assert again.keys() == original.keys()
    recalled = {"quickfire": "quickfire", "cloze": "cloze"}
    assert {i: (c.kind, c.title) for i, c in again.items()} == {
        i: (recalled.get(c.kind, "concept"), c.title) for i, c in original.items()
    }
    assert {c.kind for c in again.values()} >= {"concept", "quickfire"}


def test_cards_a_package_cannot_grade_are_counted_in_the_import_summary(runner: CliRunner, tmp_path: Path) -> None:
    """Seventeenth newcomer pass N17-1: the built-in deck came back from its .apkg as 263 concept
    cards with no word that 164 of them had been numeric, formula or gradient cards — whose
    questions still say "given below" of values only their snippet gives."""
    from collections import Counter

    from lossquiz import paths
    from lossquiz.deck.cards import load_deck

    out, env = tmp_path / "all.apkg", {"LOSSQUIZ_HOME": str(tmp_path / "h"), "COLUMNS": "400"}
    assert runner.invoke(app, ["export", str(out), "--no-run"]).exit_code == 0
    graded = Counter(
        c.kind for c in load_deck(paths.builtin_deck()).cards if c.kind in {"numeric", "formula", "gradient"}
    )
    result = runner.invoke(app, ["import", str(out), "--into", str(tmp_path / "back")], env=env)
    assert result.exit_code == 0, result.output
    was = ", ".join(f"{n} {kind}" for kind, n in graded.items())
    assert f"  {was} cards are concept cards here: a package carries no snippet" in result.output, result.output
    result = runner.invoke(app, ["import", str(out), "--into", str(tmp_path / "again"), "--json"], env=env)
    assert json.loads(result.stdout)["ungraded"] == dict(graded)


def test_a_notes_deck_through_an_apkg_keeps_family_and_source(runner: CliRunner, tmp_path: Path) -> None:
    """Eleventh newcomer pass F13: back from its .apkg, a notes deck's cards had family `mydeck`
    (the package's deck) and source `mydeck-h.apkg L2 — mydeck`; the footer now carries the family
    and its text (the source) is read back, for basic and cloze notes alike."""
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Classification\n\n#### Q: What is focal loss?\nCross-entropy scaled down on easy examples.\n\n"
        "Label smoothing spreads ==ε/K== on every class and focal uses γ = {{c1::2}}.\n\n"
        "## Metric & more\n\nInfoNCE temperature::τ\n",
        encoding="utf-8",
    )
    deck, back, package = tmp_path / "mydeck", tmp_path / "back", tmp_path / "mydeck-h.apkg"
    env = {"LOSSQUIZ_HOME": str(tmp_path / "h")}
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)], env=env).exit_code == 0
    result = runner.invoke(app, ["export", "--deck", str(deck), "--with-history", str(package)], env=env)
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["import", str(package), "--into", str(back), "--with-history"], env=env)
    assert result.exit_code == 0, result.output
    fields = ("id", "kind", "title", "family", "source")
    before = {i: tuple(c[f] for f in fields) for i, c in _cards(deck).items()}
    assert {i: tuple(c[f] for f in fields) for i, c in _cards(back).items()} == before
    assert sorted(kind for _, kind, *_ in before.values()) == ["cloze", "cloze", "quickfire", "quickfire"]
