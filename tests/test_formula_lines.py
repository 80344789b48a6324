"""Formulas wrap where a reader breaks them (ui/formula_lines.py): after a top-level `, ` or `; `,
before a top-level `=`/`+`/`−`, a bracket deeper only when a term is wider than the line. Rich
wrapped at any space: `1/(2` and `N)` on two lines, `log` left above its `p(x)` (tenth newcomer pass)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.deck.latex import to_unicode
from lossquiz.paths import builtin_deck
from lossquiz.ui.formula_lines import wrap

FORMULAS = {c.id: to_unicode(c.formula) for c in load_deck(builtin_deck()).cards if c.formula}


def _chars(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("width", [76, 60, 40, 12])
def test_every_formula_fits_and_loses_nothing(width: int) -> None:
    for card, text in FORMULAS.items():
        lines = wrap(text, width)
        assert all(cell_len(line) <= width for line in lines), (card, lines)
        assert _chars("".join(lines)) == _chars(text), (card, lines)


def test_a_formula_that_fits_is_left_alone() -> None:
    assert wrap("ℓ=½r²", 76) == ["ℓ=½r²"]
    cases = FORMULAS["mse-mae-huber"]  # the rows of a cases brace keep their columns
    assert "\n" in cases and wrap(cases, 200) == cases.splitlines()


def test_two_formulas_break_between_them_and_a_term_between_its_signs() -> None:
    assert wrap(FORMULAS["nt-xent"], 76) == [
        "ℓ_(i,j)=−log(exp(sᵢⱼ/τ)/(∑_(k≠i) exp(sᵢₖ/τ))),",
        "ℒ=(1/(2 N)) ∑ₖ₌₁ᴺ[ℓ_(2k−1,2k)+ℓ_(2k,2k−1)]",
    ]
    assert wrap(FORMULAS["elbo"], 76) == [
        "log p_θ(x)=ELBO+KL(q_ϕ(z|x)‖p_θ(z|x)),",
        "ELBO=𝔼_(q_ϕ(z|x))[log p_θ(x|z)]−KL(q_ϕ(z|x)‖p(z))",
    ]
    # one formula too wide: cut before the `+` inside its bracket, continuation indented
    assert wrap(FORMULAS["clip-loss"], 76) == [
        "ℒ=−(1/(2 N)) ∑ᵢ₌₁ᴺ[log((e^(sᵢᵢ/τ))/(∑ⱼ e^(sᵢⱼ/τ)))",
        "  +log((e^(sᵢᵢ/τ))/(∑ⱼ e^(sⱼᵢ/τ)))]",
    ]


def test_never_inside_a_script_nor_at_a_unary_sign_nor_after_a_short_left_side() -> None:
    lines = wrap("ℓ=−log ((exp(a+b))/(∑_(k≠i) exp(s_(i−k)+c)))+λ‖w‖²−μ", 30)
    assert all("_(k" not in line or "≠i)" in line for line in lines)  # `_(k≠i)` is never cut
    assert lines[0].startswith("ℓ=−log")  # `ℓ` stays with its `=`, the `−` after `=` is unary
    assert all(not line.endswith(("=", "+", "−")) for line in lines)  # breaks come before a sign


def test_show_at_80_columns_draws_the_formula_in_whole_terms(runner: CliRunner) -> None:
    shown = runner.invoke(app, ["show", "clip-loss", "--no-run"], env={"COLUMNS": "80"}).stdout
    panel = shown.split("formula")[1].split("╰")[0]
    rows = [line.removeprefix("│ ").rstrip("│ ") for line in panel.splitlines()[1:]]
    assert rows == wrap(FORMULAS["clip-loss"], 76)
    assert max(cell_len(line) for line in panel.splitlines()) <= 80  # code lines are printed whole, wider
