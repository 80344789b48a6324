"""The seventh newcomer pass (80x24, README only): what it found, end to end."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.test_card_cli import T0, drill, run
from tests.test_promise import concept_deck


def test_card_info_says_overdue_not_in_1m_for_a_time_that_has_passed(runner: CliRunner, tmp_path: Path) -> None:
    """F3: `next due 2026-12-02 10:01 (in 1m)` at 10:30 and the next day."""
    deck = concept_deck(tmp_path / "deck", 2)
    drill(runner, deck, "--card", "concept-00", ratings="1")  # Again: due again in a minute
    info = lambda at: " ".join(run(runner, "card", "info", "concept-00", "--deck", str(deck), at=at).stdout.split())  # noqa: E731
    assert "(in 1m)" in info(T0)
    assert "(overdue 29m)" in info(T0 + timedelta(minutes=30))
    assert "(overdue 1d" in info(T0 + timedelta(days=1, hours=2))


def test_a_drill_whose_filters_leave_no_card_says_so_instead_of_nothing_due(runner: CliRunner, tmp_path: Path) -> None:
    """F2: `drill --kind cloze` on a deck without cloze cards said "Nothing is due right now … Review
    ahead with lossquiz drill --cram", and the same with --cram: advice that loops."""
    deck = concept_deck(tmp_path / "deck", 2)
    for extra in ((), ("--cram",)):
        out = run(runner, "drill", "--deck", str(deck), "--kind", "cloze", *extra).stdout
        assert out.strip() == "no cloze cards in this deck", out
    listed = run(runner, "list", "--deck", str(deck), "--kind", "cloze").stdout
    assert listed.strip() == "no cloze cards in this deck"  # the words `list` uses


def test_history_export_of_a_mistyped_deck_warns(runner: CliRunner, tmp_path: Path) -> None:
    """F6: `history export --deck mydek` (for mydeck) said `exported 0 reviews … of deck …/mydek`, exit 0."""
    result = run(runner, "history", "export", "--deck", str(tmp_path / "mydek"), str(tmp_path / "out.jsonl"))
    assert f"warning: there is no deck at {tmp_path / 'mydek'}" in " ".join(result.stderr.split())
    deck = concept_deck(tmp_path / "deck", 1)
    kept = run(runner, "history", "export", "--deck", str(deck), str(tmp_path / "deck.jsonl"))
    assert "warning" not in kept.stderr


def test_an_ambiguous_comma_is_asked_again_not_guessed(runner: CliRunner, tmp_path: Path) -> None:
    """Eighth newcomer pass F3: `1,595` for a live 1.595 was read as 1595 and recorded Again, while
    `0,5` was read as 0.5. One comma before three digits is asked again, saying both readings."""
    from lossquiz.study.grading import number_hint

    assert number_hint("1,595") == "1,595 could be 1.595 or 1595: type it with a point, or without the comma"
    assert number_hint("abc").startswith("type a number such as")
