"""Formulas render as readable unicode."""

from __future__ import annotations

import pytest

from lossquiz.deck.latex import to_unicode


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat y_i)^2", "1/N∑ᵢ₌₁ᴺ(yᵢ−ŷᵢ)²"),
        (r"\tfrac12 r^2", "½ r²"),
        (
            r"\min(r_t A_t, \text{clip}(r_t, 1-\epsilon, 1+\epsilon) A_t)",
            "min(rₜ Aₜ, clip(rₜ, 1−ε, 1+ε) Aₜ)",
        ),
        (r"\sqrt{1-\bar\alpha_t}", "√(1−α̅ₜ)"),
        (r"\mathbb{E}[x] + \mathbb{1}[u<0]", "𝔼[x] + 𝟙[u<0]"),
        (r"\|x\|_2^2", "‖x‖₂²"),
        (r"\pi_{ref}", "π_ref"),
        (r"e^{-x/2}", "e^(−x/2)"),
        (r"k_3 = (r-1) - \log r", "k₃ = (r−1) − log r"),
        (r"\log\frac{a}{b}", "log a/b"),
        (r"\log(x) + \max_a Q", "log(x) + maxₐ Q"),
        (r"x \approx\mathbb{E}[x]", "x ≈𝔼[x]"),
        (r"\hat\alpha", "α̂"),
        (r"\frac{1}{2N} + \frac{a}{b}", "1/(2N) + a/b"),
        (r"-\beta\log\frac{\pi}{\pi_{ref}} - \alpha\log \pi", "−β log π/π_ref − α log π"),
        (r"\sum_{k\ne i} x_k", "∑_(k≠i) xₖ"),
    ],
)
def test_to_unicode(latex: str, expected: str) -> None:
    assert to_unicode(latex) == expected


def test_cases_become_aligned_rows() -> None:
    text = to_unicode(r"L=\begin{cases} a & x\\ b & y \end{cases}")
    first, second = text.splitlines()
    assert first.startswith("L=⎧ a") and first.endswith("x")
    assert second.strip().startswith("⎩ b") and second.index("⎩") == first.index("⎧")


def test_no_backslashes_left_in_deck_formulas() -> None:
    from lossquiz.deck.cards import load_deck
    from lossquiz.paths import builtin_deck

    for card in load_deck(builtin_deck()).cards:
        if card.formula:
            assert "\\" not in to_unicode(card.formula), card.id
