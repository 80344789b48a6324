"""Formulas render as readable unicode."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.latex import to_unicode


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        (r"\frac{1}{N}\sum_{i=1}^{N}(y_i-\hat y_i)^2", "(1/N) ∑ᵢ₌₁ᴺ(yᵢ−ŷᵢ)²"),
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
        (r"x \approx\mathbb{E}[x]", "x ≈ 𝔼[x]"),
        (r"\hat\alpha", "α̂"),
        (r"\frac{1}{2N} + \frac{a}{b}", "1/(2N) + a/b"),
        (r"-\beta\log\frac{\pi}{\pi_{ref}} - \alpha\log \pi", "−β log π/π_ref − α log π"),
        (r"\sum_{k\ne i} x_k", "∑_(k≠i) xₖ"),
    ],
)
def test_to_unicode(latex: str, expected: str) -> None:
    assert to_unicode(latex) == expected


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        # eleventh newcomer pass F5: `−1/nclip(rᵢ,−δ,δ)` read as 1/(n·clip)
        (r"-\frac{1}{n}\operatorname{clip}(r_i,-\delta,\delta)", "−(1/n) clip(rᵢ,−δ,δ)"),
        (r"\frac{\lambda_2}{2}\|w\|_2^2", "(λ₂/2) ‖w‖₂²"),  # an opening bar
        (r"\frac{1}{n}(s-y)", "(1/n)(s−y)"),
        (r"\frac{1}{N}\left[x\right]", "(1/N)[x]"),
        (r"\frac{a}{b}^2", "(a/b)²"),
        (r"\frac{\gamma}{2}\,\mathbb{E}[x]", "(γ/2) 𝔼[x]"),
        (r"\beta\frac{1}{N}\log p", "β(1/N) log p"),
        (r"\frac{1}{1-\gamma}\mathbb{E}[r]", "(1/(1−γ)) 𝔼[r]"),
        # apart: an operator, a relation, a closing bracket or bar, a note set as text, the end
        (r"\frac{a}{b}+c", "a/b+c"),
        (r"\frac{a}{b} < c", "a/b < c"),
        (r"\left(\frac{a}{b}\right)^2", "(a/b)²"),
        (r"|x-\frac{a}{b}|", "|x−a/b|"),
        (r"\frac{a}{b}\ \text{(ArcFace)}", "a/b (ArcFace)"),
        (r"\frac{1}{2}x", "½x"),  # a vulgar fraction is one character: nothing to mistake
    ],
)
def test_a_fraction_is_kept_apart_from_what_follows_it(latex: str, expected: str) -> None:
    assert to_unicode(latex) == expected


def test_show_prints_the_huber_gradient_with_its_fraction_apart(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "huber-gradient", "--no-run"])
    assert result.exit_code == 0, result.output
    assert "∂L/∂ŷᵢ=−(1/n) clip(rᵢ,−δ,δ)" in result.stdout and "1/nclip" not in result.stdout


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


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        # twelfth newcomer pass N12-5: `log π(y_w|x)/π_ref(y_w|x)` read as (log π)/π_ref
        (r"\log \frac{\pi(y_w|x)}{\pi_{ref}(y_w|x)}", "log(π(y_w|x)/π_ref(y_w|x))"),
        (r"\exp\frac{a+b}{c}", "exp((a+b)/c)"),
        (r"\sigma\,\frac{a}{b+c}", "σ(a/(b+c))"),
        (r"\frac{a}{b}\log\frac{c+1}{d}", "(a/b) log((c+1)/d)"),
        # one symbol each side, however decorated, is left as it was
        (r"\log\frac{a}{b}", "log a/b"),
        (r"\log\frac{x_i^2}{\pi_{ref}}", "log xᵢ²/π_ref"),
        (r"\log\frac{1}{K}\sum_k x_k", "log (1/K) ∑ₖ xₖ"),  # glued to what follows: bracketed already
        # fourteenth newcomer pass N14-12: one call or one bracket is not bracketed again (`log((exp(…))/…)`)
        (r"\log\frac{\exp(z/\tau)}{\sum_k \exp(z_k/\tau)}", "log(exp(z/τ)/(∑ₖ exp(zₖ/τ)))"),
        (r"\log\frac{(a+b)}{c+d}", "log((a+b)/(c+d))"),
        (r"\log\frac{(a+b)(c+d)}{e}", "log(((a+b)(c+d))/e)"),
        (r"\log\frac{\exp(a)+b}{c}", "log((exp(a)+b)/c)"),
        (r"\frac{\sum_i x_i}{n(n-1)}", "(∑ᵢ xᵢ)/(n(n−1))"),  # below the bar, n(…) is a product
        (r"\frac{r-\mu}{\mathrm{std}(r)}", "(r−μ)/std(r)"),
    ],
)
def test_a_fraction_after_a_function_name_is_its_bracketed_argument(latex: str, expected: str) -> None:
    assert to_unicode(latex) == expected


def test_an_imported_dpo_formula_shows_the_log_of_the_ratio(runner: CliRunner, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Alignment\n\n#### Q: What is the DPO loss?\n\nThe policy moves towards the chosen response.\n\n"
        r"$$\mathcal{L} = -\log \sigma\left(\beta \log \frac{\pi(y_w|x)}{\pi_{ref}(y_w|x)}"
        r" - \beta \log \frac{\pi(y_l|x)}{\pi_{ref}(y_l|x)}\right)$$" + "\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "deck")]).exit_code == 0
    shown = runner.invoke(app, ["show", "dpo-loss", "--deck", str(tmp_path / "deck")])
    assert shown.exit_code == 0, shown.output
    assert "ℒ = −log σ(β log(π(y_w|x)/π_ref(y_w|x)) − β log(π(y_l|x)/π_ref(y_l|x)))" in shown.stdout


@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        # twelfth newcomer pass N12-6: a raw caret where unicode has the superscript
        (r"z=w^{\top}x", "z=wᵀx"),
        (r"u^\top v", "uᵀv"),  # the space only ended \top
        (r"\frac{2\delta}{g^\top F^{-1}g}", "(2δ)/(gᵀF⁻¹g)"),  # still a product, still bracketed
        (r"L^{CLIP}", "L^CLIP"),  # no superscript capital C in unicode: left as written
        # a relation keeps the spaces the source gave it, on both sides
        (r"|r| \le \delta", "|r| ≤ δ"),
        (r"\log p(x) \ge \mathbb{E}_{q(z|x)}", "log p(x) ≥ 𝔼_(q(z|x))"),
        (r"a\le \delta", "a ≤ δ"),
        (r"a =b", "a = b"),
        (r"|r|\le\delta", "|r|≤δ"),  # none given, none added
        (r"a\le b", "a≤b"),  # the space only ended \le
        (r"\sum_{k \ge 0} x", "∑_(k≥0) x"),  # a script is set tight
        # a function name is not spaced from the bracket that opens its argument, nor glued to a letter
        (r"\max\big(\tau u,(\tau-1)u\big)", "max(τu,(τ−1)u)"),
        (r"\min\left(a, b\right)", "min(a, b)"),
        (r"\exp\Big(-\frac{1}{N}x\Big)", "exp(−(1/N) x)"),
        (r"\sum p\log q", "∑p log q"),
        (r"\tanh^2 u", "tanh² u"),
        # thirteenth newcomer pass N13-16: an optimum's star, as the prose writes it (no superscript star exists)
        (r"\pi^{\star}(y|x)", "π*(y|x)"),
        (r"\pi^\star", "π*"),
        (r"\theta^{*}", "θ*"),
        (r"x^{\ast}_t", "x*ₜ"),
    ],
)
def test_superscripts_relations_and_function_names_are_spaced_as_written(latex: str, expected: str) -> None:
    assert to_unicode(latex) == expected


def test_show_prints_ppo_and_the_glm_formulas_without_raw_carets_or_stray_spaces(runner: CliRunner) -> None:
    ppo = runner.invoke(app, ["show", "ppo-clip", "--no-run"])
    assert ppo.exit_code == 0, ppo.output
    assert "L^CLIP=(1/N) ∑ₜ min(rₜ Aₜ, clip(rₜ,1−ε,1+ε) Aₜ)" in ppo.stdout
    glm = runner.invoke(app, ["show", "logistic-regression-glm", "--no-run"])
    assert glm.exit_code == 0, glm.output
    assert "z=wᵀx," in glm.stdout and "^⊤" not in glm.stdout
    pinball = runner.invoke(app, ["show", "pinball-formula", "--no-run"])
    assert "ρ_τ(u)=max(τu,(τ−1)u)" in pinball.stdout


def test_show_prints_the_dpo_optimum_as_pi_star(runner: CliRunner) -> None:
    """thirteenth newcomer pass N13-16: `π^⋆(y|x)=…`, a raw caret, where the answer writes π*."""
    dpo = runner.invoke(app, ["show", "dpo-derivation", "--no-run", "--no-pager"])
    assert dpo.exit_code == 0, dpo.output
    assert "π*(y|x)=(π_ref(y|x) exp(r(x,y)/β))/Z(x)" in dpo.stdout and "^⋆" not in dpo.stdout
