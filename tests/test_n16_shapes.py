"""A wrong-shaped typed formula is shown with the card's variables (sixteenth newcomer pass N16-1, N16-2, N16-4).

focal-formula names its variables z, y, α, γ; its snippet's loss() takes `logits` and
`gamma_focal`. A per-element disagreement showed the card's names, a shape disagreement the
snippet's — names the user never typed — and its wrapped line ran back to column 0.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.latex import to_unicode

FOCAL_MEAN = "mean(-alpha*(1-sigmoid(z))^gamma*log(sigmoid(z)))"


def _answer(runner: CliRunner, card: str, text: str, columns: int) -> list[str]:
    result = runner.invoke(app, ["show", card, "--answer", text], env={"COLUMNS": str(columns)})
    assert result.exit_code == 1, result.output
    return result.output.splitlines()


def _block(lines: list[str], first: str) -> list[str]:
    """The line starting with `first` and the lines that continue it (up to the next labelled line)."""
    start = next(i for i, line in enumerate(lines) if line.startswith(first))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line.startswith(("→", "reference:", "✗", "first ")) or line.startswith("  ") and line[2] != " ":
            break
        block.append(line)
    return block


def test_a_shape_disagreement_names_the_cards_variables(env: Path, runner: CliRunner) -> None:
    out = "\n".join(_answer(runner, "focal-formula", FOCAL_MEAN, 200))
    assert "your expression gives one number; the answer has one per element" in out
    assert "logits" not in out and "gamma_focal" not in out  # the snippet's own argument names
    assert "z = [3, -3, -1, 1]" in out
    assert "γ = 2" in out or "gamma = 2" in out


def test_a_wrapped_inputs_line_keeps_a_hanging_indent(env: Path, runner: CliRunner) -> None:
    lines = _answer(runner, "focal-formula", FOCAL_MEAN, 40)
    block = _block(lines, "  with ")
    assert len(block) > 1, lines  # it wraps at 40 columns
    assert all(line.startswith(" " * 7) for line in block[1:]), block


def test_a_wrapped_echo_of_the_typed_formula_keeps_a_hanging_indent(env: Path, runner: CliRunner) -> None:
    lines = _answer(runner, "focal-formula", FOCAL_MEAN, 40)
    block = _block(lines, "you wrote:")
    assert len(block) > 1, lines
    assert all(line.startswith(" " * len("you wrote: ")) for line in block[1:]), block


def test_a_signed_number_over_a_fraction_bar_needs_no_brackets() -> None:
    shown = to_unicode(r"\sum_i\frac{-1}{|P(i)|}\sum_p x_p")
    assert "(−1)" not in shown and "−1/|P(i)|" in shown
    assert to_unicode(r"\frac{-a+b}{2}").startswith("(−a")
