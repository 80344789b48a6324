"""The seventh newcomer pass's display lows (issue 17: F5, F7, F8, F16, F17), end to end."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from lossquiz.cli import app


def _cards(deck: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for path in sorted((deck / "cards").glob("*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8")):
            out[str(card["id"])] = card
    return out


def test_a_latex_symbol_gap_is_typed_and_checked_and_a_formula_gap_self_rated(
    runner: CliRunner, tmp_path: Path
) -> None:
    """F5: `==$\\tau$==` and `{{c1::$\\beta$}}` were self-rated and showed `• $\\tau$`; `==τ==` was typed."""
    notes = tmp_path / "gaps.md"
    notes.write_text(
        "# Contrastive\n\n"
        "InfoNCE divides similarities by a temperature ==$\\tau$== before the softmax.\n\n"
        "DPO scales the log-ratio margin by {{c1::$\\beta$}} inside the sigmoid.\n\n"
        "The softmax numerator is ==$e^{z_i}$== for class i.\n",
        encoding="utf-8",
    )
    deck = tmp_path / "deck"
    result = runner.invoke(app, ["import", str(notes), "--into", str(deck)])
    assert result.exit_code == 0, result.output
    cards = _cards(deck)
    by_point = {str(c["key_points"][0]): i for i, c in cards.items()}  # type: ignore[index]
    assert set(by_point) == {"τ", "β", "$e^{z_i}$"}, by_point
    for gap, typed in (("τ", "tau"), ("β", "β")):
        drill = runner.invoke(
            app, ["drill", "--deck", str(deck), "--card", by_point[gap], "--time-limit", "0"], input=f"{typed}\n"
        )
        assert drill.exit_code == 0, drill.output
        assert "✓" in drill.output, drill.output  # typed and checked, not "rate yourself"
        assert "$" not in drill.output and "\\tau" not in drill.output and "\\beta" not in drill.output
    formula = runner.invoke(
        app, ["drill", "--deck", str(deck), "--card", by_point["$e^{z_i}$"], "--time-limit", "0"], input="\n3\n"
    )
    assert formula.exit_code == 0, formula.output
    assert "✓" not in formula.output  # a real formula is revealed and self-rated
    assert "$" not in formula.output  # and shown as unicode


def test_an_anki_mathjax_symbol_cloze_becomes_its_unicode() -> None:
    """F5: Anki's `{{c1::\\(\\tau\\)}}` reads as the gap τ (typed), a MathJax fraction stays a formula."""
    from lossquiz.deck.anki_package import _cloze_note
    from lossquiz.study.cloze import typed_check

    [(_, card)] = _cloze_note("Divide by a temperature {{c1::\\(\\tau\\)}} first.", [], ["Losses"], 1)
    assert card.key_points == ("τ",)
    [(_, formula)] = _cloze_note("Huber is {{c1::\\(\\frac{1}{2} r^2\\)}} near zero.", [], ["Losses"], 2)
    assert formula.key_points[0].startswith("$")

    from lossquiz.deck.cards import Card

    made = Card(id="x", topic="regression", kind="cloze", question="q", answer="a", key_points=("$\\tau$",), source="")
    assert typed_check(made) == "τ"  # a deck imported before the fix is typed too


def test_a_drill_ended_by_its_time_budget_says_so(runner: CliRunner, tmp_path: Path, monkeypatch: object) -> None:
    """F16: `drill --minutes 0.1 -c mse -c mae` ended after one card with a summary that did not say why."""
    from datetime import datetime, timedelta, timezone

    import pytest

    from lossquiz import clock
    from tests.test_promise import concept_deck

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    ticks = iter(range(10_000))
    start = datetime(2026, 3, 1, 8, tzinfo=timezone.utc)
    monkeypatch.setattr(clock.SystemClock, "now", lambda self: start + timedelta(seconds=next(ticks)))
    deck = concept_deck(tmp_path / "deck", 3)
    args = ["drill", "--deck", str(deck), "--time-limit", "0", "-c", "concept-00", "-c", "concept-01"]
    short = runner.invoke(app, [*args, "--minutes", "0.1"], input="\n3\n\n3\n")
    assert short.exit_code == 0, short.output
    said = " ".join(short.output.split())
    assert "cards answered 1" in said and "session time budget reached (--minutes 0.1)" in said, short.output
    whole = runner.invoke(app, [*args, "--cram"], input="\n3\n\n3\n")
    assert whole.exit_code == 0 and "time budget" not in whole.output  # the queue ran out, not the time


def test_piped_show_renders_bullets_math_and_soft_breaks_as_the_drill_does(runner: CliRunner, tmp_path: Path) -> None:
    """F7: piped `show forward-vs-reverse-kl` printed `Forward (P\\|\\|Q)` and raw `*   Forward KL` bullets;
    F8: `show ipo` kept the answer's source line break before `**finite target**` (an orphan word)."""
    deck = tmp_path / "seeddeck"
    seed = Path(__file__).parent / "fixtures" / "seed_notes.md"
    assert runner.invoke(app, ["import", str(seed), "--into", str(deck)]).exit_code == 0
    shown = runner.invoke(app, ["show", "forward-vs-reverse-kl", "--deck", str(deck)])
    assert shown.exit_code == 0, shown.output
    assert "\\|" not in shown.output and "*   " not in shown.output, shown.output
    assert "• Forward KL (MLE): Mode-covering." in shown.output
    ipo = runner.invoke(app, ["show", "ipo"])
    assert ipo.exit_code == 0, ipo.output
    answer = ipo.output.split("Answer", 1)[1]
    assert "gap h onto a finite target 1/(2τ)" in " ".join(answer.split())
    assert not any(line.strip() in ("a", "onto a") for line in answer.splitlines()), answer


def test_time_limit_that_is_not_a_number_says_seconds(runner: CliRunner) -> None:
    """F17: `--time-limit abc` said Click's `'abc' is not a valid float range.`"""
    result = runner.invoke(app, ["drill", "--time-limit", "abc"])
    assert result.exit_code == 2
    assert "'abc' is not a number of seconds" in " ".join(result.output.split())
    assert runner.invoke(app, ["drill", "--time-limit", "-1"]).exit_code == 2  # the range is still checked
