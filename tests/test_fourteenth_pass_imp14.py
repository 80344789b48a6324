"""Fourteenth newcomer pass (imp14): N14-2, N14-3, N14-8."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck


def _import(runner: CliRunner, notes: Path, text: str, deck: Path) -> str:
    """Write `text` to `notes`, import it into `deck` and return the summary."""
    notes.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_sentence_hard_wrapped_after_a_short_line_is_one_answer_not_two_key_points(
    runner: CliRunner, tmp_path: Path
) -> None:
    """N14-2: `How many extra nats you pay` / `coding P with a code built for Q.` is one sentence,
    so both cards of the `??` pair are quickfire cards with no key points (in the export too);
    short author lines such as `MSE: mean` / `MAE: median` or `mean` / `median` stay two points."""
    deck = tmp_path / "srdeck"
    _import(
        runner,
        tmp_path / "sr.md",
        "What does the KL divergence\nmeasure?\n??\nHow many extra nats you pay\ncoding P with a code built for Q.\n\n"
        "Which statistic does each loss estimate?\n?\nMSE: mean\nMAE: median\n\n"
        "What do MSE and MAE estimate, in that order?\n?\nmean\nmedian\n",
        deck,
    )
    cards = {" ".join(c.question.split()): c for c in load_deck(deck).cards}
    forward = cards["What does the KL divergence measure?"]
    backward = cards["How many extra nats you pay coding P with a code built for Q."]
    assert (forward.kind, forward.key_points) == ("quickfire", ())
    assert (backward.kind, backward.key_points) == ("quickfire", ())
    assert cards["Which statistic does each loss estimate?"].key_points == ("MSE: mean", "MAE: median")
    assert cards["What do MSE and MAE estimate, in that order?"].key_points == ("mean", "median")
    export = runner.invoke(app, ["export", "--deck", str(deck), "--format", "anki", "-"])
    assert export.exit_code == 0, export.output
    assert "<li>coding P" not in export.stdout and "<li>measure?" not in export.stdout


def test_a_card_gone_because_its_section_gained_a_sub_heading_is_named_with_the_reason(
    runner: CliRunner, tmp_path: Path
) -> None:
    """N14-3: a `#### Q:` added under `### Temperature scaling` turns that section's text into a
    skipped introduction; the summary says that is why `temperature-scaling` is gone."""
    notes, deck = tmp_path / "notes.md", tmp_path / "mydeck"
    text = "## Classification\n\n### Temperature scaling\n\nDivide the logits by a learned scalar T to calibrate.\n"
    _import(runner, notes, text, deck)
    summary = _import(
        runner, notes, text + "\n#### Q: What is label smoothing?\n\n- Soft targets\n- Less confidence\n", deck
    )
    assert "1 gone: temperature-scaling" in summary
    assert "temperature-scaling: its section now has sub-headings, so its text is an introduction (line 5)" in summary


def test_a_cloze_whose_only_key_point_is_its_gap_shows_no_key_points_list(runner: CliRunner, tmp_path: Path) -> None:
    """N14-8: the reveal of `… a temperature ==$\\tau$==.` shows the sentence, not `Key points • τ`."""
    deck = tmp_path / "deck"
    _import(
        runner, tmp_path / "c.md", "# Contrastive\n\nInfoNCE divides similarities by a temperature ==$\\tau$==.\n", deck
    )
    (card,) = load_deck(deck).cards
    shown = runner.invoke(app, ["show", card.id, "--deck", str(deck)])
    assert shown.exit_code == 0, shown.output
    assert "temperature τ" in shown.output and "Key points" not in shown.output
