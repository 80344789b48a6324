"""Issue 17: a cloze in lossquiz notes is a card, import's problem count matches its list, and an
Obsidian cloze line glued to a `?` card is reported instead of shown raw in a drill."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from lossquiz.cli import app
from tests.test_interop_formats import _cards

NOTES = Path(__file__).parent / "fixtures" / "notes"


def _listed(runner: CliRunner, deck: Path) -> list[dict[str, Any]]:
    result = runner.invoke(app, ["list", "--deck", str(deck), "--json"])
    assert result.exit_code == 0, result.output
    cards: list[dict[str, Any]] = json.loads(result.stdout)
    return cards


def test_the_newcomers_notes_import_with_their_cloze_as_a_card(runner: CliRunner, tmp_path: Path) -> None:
    """The README's syntaxes together: two `#### Q:` cards, a `::` line, a quick-fire bullet and a
    `==τ==` sentence give five cards; the cloze hides τ, under the Contrastive heading's topic (metric)."""
    deck = tmp_path / "mydeck"
    result = runner.invoke(app, ["import", str(NOTES / "newcomer.md"), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    listed = _listed(runner, deck)
    assert len(listed) == 5, listed
    cards = {c["question"]: c for c in _cards(deck)}
    assert cards["What does weight decay add to the loss?"]["kind"] == "concept"
    assert cards["Why use label smoothing?"]["kind"] == "concept"
    assert cards["InfoNCE temperature"]["kind"] == "quickfire"
    assert cards["Default margin in triplet loss?"]["answer"] == "1.0"  # the question is not a gap
    [cloze] = [c for c in cards.values() if c["kind"] == "cloze"]
    assert cloze["question"] == "The InfoNCE loss divides similarities by a temperature […] before the softmax."
    assert cloze["answer"] == "The InfoNCE loss divides similarities by a temperature **τ** before the softmax."
    assert cloze["topic"] == "metric" == cards["InfoNCE temperature"]["topic"]  # "Contrastive & metric learning"
    assert cloze["source"].startswith("newcomer.md L16 — Contrastive")
    # drilled: the gap is typed and graded, and the raw marks never show
    drill = runner.invoke(
        app, ["drill", "--deck", str(deck), "--card", cloze["id"], "--time-limit", "0"], input="tau\n"
    )
    assert drill.exit_code == 0, drill.output
    assert "[…]" in drill.output and "==" not in drill.output and "✓" in drill.output


def test_an_anki_cloze_in_lossquiz_notes_is_a_card_per_group(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "anki.md"
    notes.write_text(
        "# Classification\n\n#### Q: What is focal loss?\nCross-entropy scaled down on easy examples.\n\n"
        "Hinge loss is {{c1::max(0, 1 − y·f(x))}}, used by {{c2::SVMs::a classifier}}.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    clozes = [c for c in _listed(runner, tmp_path / "d") if c["kind"] == "cloze"]
    assert len(clozes) == 2, clozes
    cards = {c["question"]: c for c in _cards(tmp_path / "d") if c["kind"] == "cloze"}
    assert "Hinge loss is […], used by SVMs." in cards
    assert "Hinge loss is max(0, 1 − y·f(x)), used by [a classifier]." in cards
    assert {c["topic"] for c in cards.values()} == {"classification"}
    # the Q: card keeps its own answer: the cloze paragraph is not folded into it
    [focal] = [c for c in _cards(tmp_path / "d") if c["kind"] != "cloze"]
    assert "Hinge" not in focal["answer"] and "{{" not in focal["answer"]


def test_a_cloze_in_a_list_item_is_the_item_and_equality_is_no_gap(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "list.md"
    notes.write_text(
        "# Regression\n\nHuber delta default::1.0\n- MAE estimates the ==median==. <!--SR:!2024-03-10,3,250-->\n"
        "- MSE is smooth at zero.\n\n"
        "In code, `a == b` and x == y are comparisons.\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    cards = _cards(tmp_path / "d")
    [cloze] = [c for c in cards if c["kind"] == "cloze"]
    assert cloze["question"] == "MAE estimates the […]."  # the item, not its bullet or its neighbours
    assert cloze["topic"] == "regression"
    assert any(c["question"] == "Huber delta default" and c["answer"] == "1.0" for c in cards)
    assert sum(c["kind"] == "cloze" for c in cards) == 1  # `a == b`, x == y: no gap


def test_other_formats_syntax_is_still_refused(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "logseq.md"
    notes.write_text("#### Q: What is MAE?\nThe mean absolute error.\n\n- What is MSE? #card\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d"), "--format", "lossquiz"])
    assert result.exit_code == 1
    assert "logseq.md:4: a Logseq #card block" in " ".join(result.stderr.split())


def test_the_problem_count_matches_the_problems_listed(runner: CliRunner, tmp_path: Path) -> None:
    """`cannot import (2 problems):` listed one: the "nothing imported" line is advice, not a problem."""
    one = tmp_path / "one.md"
    one.write_text("#### Q: What is MAE?\nThe mean absolute error.\n\n- What is MSE? #card\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(one), "--into", str(tmp_path / "d"), "--format", "lossquiz"])
    assert result.exit_code == 1
    err = result.stderr
    assert "problems" not in err and "error: cannot import: one.md:4: a Logseq #card" in err
    assert "nothing imported; fix those lines, or add --skip-unreadable to import the other 1 card" in err
    two = tmp_path / "two.md"
    two.write_text(
        "#### Q: What is MAE?\nThe mean absolute error.\n\nQ: What is MSE?\nA: squared.\n\n- What? #card\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(two), "--into", str(tmp_path / "d"), "--format", "lossquiz"])
    assert result.exit_code == 1
    listed = [line for line in result.stderr.splitlines() if line.strip().startswith("two.md:")]
    assert "cannot import (3 problems):" in result.stderr and len(listed) == 3, result.stderr


def test_an_obsidian_cloze_glued_to_a_multi_line_card_is_reported(runner: CliRunner, tmp_path: Path) -> None:
    """Fifth-pass F4 re-check: the cloze sentence became the start of the `?` card's question, raw
    `==2==` and all. The plugin's parser reads the paragraph that way too, so the line is reported
    as not read; with --skip-unreadable the `?` card is imported without it."""
    notes = tmp_path / "x.md"
    notes.write_text(
        "Huber delta default::1.0\nFocal gamma is ==2== by default.\nWhat does MAE estimate?\n?\nThe median.\n",
        encoding="utf-8",
    )
    args = ["import", str(notes), "--into", str(tmp_path / "d"), "--format", "obsidian"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    err = " ".join(result.stderr.split())
    assert "x.md:2: a ==cloze== sentence glued to the '?' card below it" in err
    assert not (tmp_path / "d").exists()
    kept = runner.invoke(app, [*args, "--skip-unreadable"])
    assert kept.exit_code == 0, kept.output
    assert len(_listed(runner, tmp_path / "d")) == 2
    questions = {c["question"] for c in _cards(tmp_path / "d")}
    assert questions == {"Huber delta default", "What does MAE estimate?"}, questions
    # a blank line after the cloze, as the message says, gives all three cards
    notes.write_text(
        "Huber delta default::1.0\nFocal gamma is ==2== by default.\n\nWhat does MAE estimate?\n?\nThe median.\n",
        encoding="utf-8",
    )
    fixed = runner.invoke(app, args)
    assert fixed.exit_code == 0, fixed.output
    assert len(_listed(runner, tmp_path / "d")) == 3
    questions = {c["question"] for c in _cards(tmp_path / "d")}
    assert questions == {"Huber delta default", "Focal gamma is […] by default.", "What does MAE estimate?"}


def test_a_highlight_inside_a_multi_line_question_is_kept(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "h.md"
    notes.write_text("What does ==Huber== do\nfor large residuals?\n?\nIt grows linearly.\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d"), "--format", "obsidian"])
    assert result.exit_code == 0, result.output
    assert len(_listed(runner, tmp_path / "d")) == 1
    [card] = _cards(tmp_path / "d")
    assert card["kind"] != "cloze" and card["question"] == "What does ==Huber== do\nfor large residuals?"


def test_a_paragraph_mixing_both_cloze_styles_has_a_card_per_gap(runner: CliRunner, tmp_path: Path) -> None:
    """Eleventh newcomer pass F4: with a `{{c1::…}}` in the paragraph, its `==ε/K==` gap was
    dropped silently and the drill showed the raw `==ε/K==` (the answer)."""
    text = "# Classification\n\n#### Q: What is focal loss?\nCross-entropy scaled down on easy examples.\n\n"
    (tmp_path / "mixed.md").write_text(
        text + "Label smoothing spreads ==ε/K== on every class and focal uses γ = {{c1::2}}.\n", encoding="utf-8"
    )
    deck = tmp_path / "mydeck"
    result = runner.invoke(app, ["import", str(tmp_path / "mixed.md"), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    assert "cloze 2 (lines 6, 6)" in result.output
    clozes = {c["question"]: c for c in _cards(deck) if c["kind"] == "cloze"}
    assert set(clozes) == {
        "Label smoothing spreads […] on every class and focal uses γ = 2.",
        "Label smoothing spreads ε/K on every class and focal uses γ = […].",
    }
    assert len({c["family"] for c in clozes.values()}) == 1  # siblings: not shown back to back
    for card, typed in zip(clozes.values(), ("epsilon/K", "2"), strict=True):
        args = ["drill", "--deck", str(deck), "--card", card["id"], "--time-limit", "0"]
        drill = runner.invoke(app, args, input=f"{typed}\n")
        assert drill.exit_code == 0, drill.output
        assert "[…]" in drill.output and "==" not in drill.output and "{{" not in drill.output
        assert "✓" in drill.output and "✗" not in drill.output, drill.output
