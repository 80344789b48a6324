"""A cheat sheet `export FILE.md` wrote is refused by `import`, in one line (fifteenth newcomer pass N15-3).

Read as notes it became a deck of concept cards each holding the next card's text, reported as a
success."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lossquiz.cli import app

NOTES = """# Regression

#### Q: What is the Huber loss?

Quadratic for small residuals and linear for large ones, so outliers pull less.

# Classification

#### Q: Why divide InfoNCE's similarities by a temperature?

It sharpens or flattens the softmax over the negatives.
"""


def test_an_exported_cheat_sheet_is_refused_and_no_deck_is_made(env: Path, runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "mine")]).exit_code == 0
    sheet = tmp_path / "mine.md"
    exported = runner.invoke(app, ["export", "--deck", str(tmp_path / "mine"), str(sheet), "--no-run"])
    assert exported.exit_code == 0, exported.output
    assert _refused(runner, sheet, tmp_path) == (
        "error: mine.md is a lossquiz cheat sheet (export … .md), written for reading, and does not import back;"
        " to move a deck, export it as .apkg, which lossquiz import reads whole"
    )


def _refused(runner: CliRunner, exported: Path, tmp_path: Path) -> str:
    """The one line `import` prints refusing an export, having made no deck."""
    result = runner.invoke(app, ["import", str(exported), "--into", str(tmp_path / "back")])
    assert result.exit_code == 1
    assert not (tmp_path / "back").exists()
    (line,) = result.stderr.strip().splitlines()
    return line


def test_notes_merely_titled_cheat_sheet_still_import(env: Path, runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Losses — cheat sheet\n\n" + NOTES, encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output


def test_a_json_export_is_refused_as_what_it_is(env: Path, runner: CliRunner, tmp_path: Path) -> None:
    """N19-3: `import lq.json` of lossquiz's own JSON export said "no questions found", as if it were
    broken notes; a deck whose name needs escaping (a quote) is recognised too."""
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    deck = tmp_path / 'my "deck"'
    assert runner.invoke(app, ["import", str(notes), "--into", str(deck)]).exit_code == 0
    for exported_deck in (None, deck):
        data = tmp_path / "lq.json"
        where = ["--deck", str(exported_deck)] if exported_deck else []
        exported = runner.invoke(app, ["export", *where, str(data), "--no-run", "--force"])
        assert exported.exit_code == 0, exported.output
        assert _refused(runner, data, tmp_path) == (
            "error: lq.json is a lossquiz JSON export (export … .json), data for scripts, and does not import back;"
            " to move a deck, export it as .apkg, which lossquiz import reads whole"
        )


def test_a_cheat_sheet_of_one_card_says_one_card(env: Path, runner: CliRunner, tmp_path: Path) -> None:
    """Found in pass 22: a one-card deck's cheat sheet began "1 cards in 1 topic" (and still refuses to import)."""
    notes = tmp_path / "one.md"
    notes.write_text("# Regression\n\n#### Q: What is the Huber loss?\n\nQuadratic near zero.\n", encoding="utf-8")
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "one")]).exit_code == 0
    sheet = runner.invoke(app, ["export", "--deck", str(tmp_path / "one"), "--format", "md", "--no-run", "-"])
    assert sheet.stdout.splitlines()[2].startswith("1 card in 1 topic, in curriculum order;"), sheet.stdout
    (tmp_path / "one-sheet.md").write_text(sheet.stdout, encoding="utf-8")
    assert "is a lossquiz cheat sheet" in _refused(runner, tmp_path / "one-sheet.md", tmp_path)
