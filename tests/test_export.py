"""`lossquiz export`: Anki, Markdown and JSON, each parsed back and checked against the deck."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from lossquiz import paths
from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.deck.export import ANKI_COLUMNS, card_record
from lossquiz.deck.kinds import TOPICS
from tests.conftest import FIXTURES, trust_deck, write_snippet

ANKI_HEADERS = [
    "#separator:tab",
    "#html:true",
    "#notetype:Basic",
    "#deck:lossquiz",
    "#columns:GUID\tFront\tBack\tTags",
    "#guid column:1",
    "#tags column:4",
]


def _export(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, ["export", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def _anki_notes(text: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows, read the way Anki reads the file (a CSV reader with a tab separator)."""
    lines = text.splitlines()
    headers = [line for line in lines if line.startswith("#")]
    body = "\n".join(line for line in lines if not line.startswith("#"))
    return headers, list(csv.reader(io.StringIO(body), delimiter="\t"))


@pytest.fixture
def seed_deck(runner: CliRunner, tmp_path: Path) -> Path:
    deck = tmp_path / "notes-deck"
    result = runner.invoke(app, ["import", str(FIXTURES / "seed_notes.md"), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    return deck


def test_anki_export_of_builtin_deck(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "lossquiz.txt"
    result = runner.invoke(app, ["export", "--format", "anki", str(out)])
    assert result.exit_code == 0, result.output
    deck = load_deck(paths.builtin_deck())
    assert result.stdout.strip() == f"exported {len(deck.cards)} cards to {out} (anki)"
    headers, rows = _anki_notes(out.read_text(encoding="utf-8"))
    assert headers == ANKI_HEADERS
    assert len(rows) == len(deck.cards)  # one note per card
    assert all(len(row) == len(ANKI_COLUMNS) for row in rows)
    assert [row[0] for row in rows] == [f"lossquiz::{c.id}" for c in deck.cards]
    assert [row[3] for row in rows] == [c.topic for c in deck.cards]
    for row, card in zip(rows, deck.cards, strict=True):
        assert row[3] in TOPICS
        if card.formula:
            assert "\\[" + html.escape(card.formula.strip())[:20] in row[2]  # HTML-escaped, as Anki reads it
        for point in card.key_points[:1]:
            assert point.replace("'", "&#x27;")[:15] in row[2]


def test_anki_export_keeps_math_as_mathjax(runner: CliRunner, seed_deck: Path) -> None:
    text = _export(runner, "--format", "anki", "--deck", str(seed_deck))
    headers, rows = _anki_notes(text)
    assert "#deck:lossquiz::notes-deck" in headers
    deck = load_deck(seed_deck)
    assert len(rows) == len(deck.cards) == 38
    notes = {row[0].split("::")[-1]: row for row in rows}
    mse = notes["mse-mae-huber-loss"][2]
    assert r"\(\mathcal{L} = \frac{1}{N}\sum (y - \hat{y})^2\)" in mse  # inline math
    assert r"\[\mathcal{L} = \frac{1}{N}\sum (y - \hat{y})^2\]" not in mse  # the answer shows the formula: once
    assert mse.count(r"\frac{1}{N}\sum (y - \hat{y})^2") == 1
    assert "<strong>MSE (Mean Squared Error)</strong>" in mse  # Markdown became HTML
    assert "(\\(|\\delta| &lt; 1\\))" in mse  # < escaped for HTML, still MathJax
    assert not any("$" in row[1] or "$" in row[2].split("<small>")[0] for row in rows)  # the source line is as written
    assert "\\[\\text{FL} = -(1-p_t)^\\gamma \\log(p_t)\\]" in notes["focal-loss"][2]


def test_markdown_export_contains_every_card_by_topic(runner: CliRunner, seed_deck: Path) -> None:
    text = _export(runner, "--format", "md", "--deck", str(seed_deck))  # no snippets: nothing to run
    deck = load_deck(seed_deck)
    for card in deck.cards:
        assert f"`{card.id}` · {card.kind} · {card.source}" in text
        assert card.question in text and card.answer in text
        assert all(f"- {p}" in text for p in card.key_points)
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == [
        "Regression",
        "Classification",
        "Contrastive & metric learning",
        "Regularization",
        "Probabilistic objectives",
        "GANs",
        "Diffusion",
        "Policy losses",
        "Value losses",
        "Multi-agent & quality-diversity",
        "LLM alignment",
        "Synthesis",
    ]
    assert len(re.findall(r"^### ", text, re.M)) == len(deck.cards)
    assert "$$\n\\text{FL} = -(1-p_t)^\\gamma \\log(p_t)\n$$" in text


def test_markdown_export_no_run_keeps_torch_away(runner: CliRunner) -> None:
    text = _export(runner, "--format", "md", "--no-run")
    assert "worked examples not computed (--no-run)" in text
    assert "computed live" not in text
    assert "**Worked example** (`snippets/huber.py`): not computed" in text


@pytest.mark.torch
def test_markdown_export_computes_worked_examples_live(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    trust_deck(deck_dir)
    text = _export(runner, "--format", "md", "--deck", str(deck_dir))
    # square: y = [1, 2], y_hat = [0, 4] -> mean(1, 4) = 2.5
    assert "**Worked example** (`snippets/square.py`, computed live): `y` = [1, 2]; `y_hat` = [0, 4] → **2.5**;" in text
    assert "reference `torch.nn.functional.mse_loss` = 2.5 (✓ agrees)." in text


def test_markdown_export_of_untrusted_deck_runs_nothing(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = (deck_dir / "snippets" / "square.py").read_text()
    write_snippet(deck_dir, "square", f"from pathlib import Path\nPath({str(marker)!r}).write_text('x')\n" + source)
    result = runner.invoke(app, ["export", "--format", "md", "--deck", str(deck_dir)])
    assert result.exit_code == 0, result.output
    assert "worked examples not computed (the deck's snippets are not trusted)" in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"note: worked examples not computed: deck {deck_dir} is not trusted")
    assert not marker.exists()


@pytest.mark.torch
def test_markdown_export_reports_a_failing_snippet(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("torch")
    source = (deck_dir / "snippets" / "square.py").read_text()
    write_snippet(deck_dir, "square", source.replace("residual = y - y_hat", "raise RuntimeError('broken')"))
    trust_deck(deck_dir)
    out = tmp_path / "sheet.md"
    result = runner.invoke(app, ["export", str(out), "--deck", str(deck_dir)])
    assert result.exit_code == 4
    assert result.stderr.strip() == "error: worked example failed for snippets: square"
    assert "the snippet failed: RuntimeError: broken" in out.read_text()


def test_json_export_round_trips(runner: CliRunner, seed_deck: Path, tmp_path: Path) -> None:
    for deck_path in (seed_deck, paths.builtin_deck(), FIXTURES / "decks" / "mini"):
        data = json.loads(_export(runner, "--format", "json", "--deck", str(deck_path)))
        again = tmp_path / f"again-{deck_path.name}"
        (again / "cards").mkdir(parents=True)
        (again / "cards" / "all.yaml").write_text(yaml.safe_dump(data["cards"], allow_unicode=True, sort_keys=False))
        if (deck_path / "snippets").is_dir():
            (again / "snippets").symlink_to(deck_path.resolve() / "snippets")
        original, reloaded = load_deck(deck_path), load_deck(again)
        assert [card_record(c) for c in reloaded.cards] == [card_record(c) for c in original.cards]
        assert data["cards"] == [card_record(c) for c in original.cards]
        assert [(c.stress, c.stress_hint) for c in reloaded.cards] == [
            (c.stress, c.stress_hint) for c in original.cards
        ]
    assert any(c.stress for c in load_deck(paths.builtin_deck()).cards)  # so the line above compares something


def test_format_from_suffix_stdout_and_usage_errors(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(app, ["export", str(tmp_path / "cards.json")]).exit_code == 0
    assert json.loads((tmp_path / "cards.json").read_text())["deck"] == "lossquiz"
    assert _export(runner, "-", "--format", "json").startswith("{")
    result = runner.invoke(app, ["export"])
    assert result.exit_code == 2 and "say --format anki, apkg, md or json" in result.stderr
    result = runner.invoke(app, ["export", "--format", "pdf"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["export", "--format", "md", str(tmp_path / "no" / "such" / "dir.md")])
    assert result.exit_code == 1 and result.stderr.startswith("error: cannot write")
