"""A newcomer's first hour: cloze fills that differ from the gap only by a hyphen count, a session
the daily new-card limit cuts short says so, and the lows of the same pass."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from tests.test_interop_formats import _cards

HYPHEN_NOTES = (
    "# Losses\n\n"
    "The KL divergence is ==non-negative== for any two distributions.\n\n"
    "Stable softmax cross-entropy uses the ==log-sum-exp== trick.\n\n"
    "A smooth ReLU is the ==soft-plus== function.\n\n"
    "Classifiers are usually trained with ==cross-entropy== loss.\n\n"
    "The gradient of BCE with logits is ==p - y== per example.\n\n"
    "The NLL of a positive is ==-log σ== in logistic loss.\n\n"
    "Focal loss weights easy examples by ==1-p== to a power.\n"
)


def _gap_deck(runner: CliRunner, tmp_path: Path) -> dict[str, str]:
    """The hyphen notes imported as a deck: each card's id by its gap."""
    notes = tmp_path / "hyphens.md"
    notes.write_text(HYPHEN_NOTES, encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    return {card["key_points"][0]: card["id"] for card in _cards(tmp_path / "d")}


def _fill(runner: CliRunner, tmp_path: Path, card_id: str, typed: str) -> str:
    args = ["drill", "--deck", str(tmp_path / "d"), "--card", card_id, "--time-limit", "0"]
    result = runner.invoke(app, args, input=f"{typed}\n")
    assert result.exit_code == 0, result.output
    assert "[…]" in result.output and "fill the gap" in result.output, result.output  # typed and checked
    return result.output


@pytest.mark.parametrize(
    ("gap", "typed"),
    [
        ("non-negative", "nonnegative"),
        ("non-negative", "non negative"),
        ("non-negative", "non‑negative"),  # U+2011, a non-breaking hyphen
        ("log-sum-exp", "logsumexp"),
        ("log-sum-exp", "log sum exp"),
        ("soft-plus", "softplus"),
        ("cross-entropy", "cross entropy"),
        ("cross-entropy", "crossentropy"),
        ("cross-entropy", "Cross–Entropy"),  # an en dash used as a hyphen
        ("p - y", "p-y"),
        ("-log σ", "-log sigma"),
    ],
)
def test_a_fill_differing_only_by_a_hyphen_between_words_is_right(
    runner: CliRunner, tmp_path: Path, gap: str, typed: str
) -> None:
    ids = _gap_deck(runner, tmp_path)
    output = _fill(runner, tmp_path, ids[gap], typed)
    assert "✓" in output and "✗" not in output, output


@pytest.mark.parametrize(
    ("gap", "typed"),
    [
        ("p - y", "p + y"),
        ("p - y", "py"),  # a minus between one-letter names is a minus, not a hyphen
        ("-log σ", "log σ"),  # a leading minus counts
        ("1-p", "1 p"),  # a minus after a digit counts
        ("1-p", "1+p"),
        ("non-negative", "negative"),
        ("log-sum-exp", "log-sum"),
    ],
)
def test_a_near_miss_of_a_hyphenated_gap_stays_wrong(runner: CliRunner, tmp_path: Path, gap: str, typed: str) -> None:
    ids = _gap_deck(runner, tmp_path)
    output = _fill(runner, tmp_path, ids[gap], typed)
    assert f"✗ the gap is: {gap}" in output, output
