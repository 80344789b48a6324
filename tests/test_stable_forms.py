"""Formula cards whose question asks for a numerically stable form grade stability (`stress:`).

The fixed example and the random problems have small values, where a naive log(sigmoid(z)) agrees
with the stable softplus form; a card's `stress: {z: 1000}` also evaluates both with z scaled to
±1000 in float64, where the naive form is inf/nan. Through `show --answer` and `drill` on the
built-in deck, over every card of the deck that declares it, and at load and in `check` on a copy
of the recall fixture deck.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck
from tests.conftest import FIXTURES, trust_deck

NAIVE_BCE = "mean(-y*log(sigmoid(z)) - (1-y)*log(1-sigmoid(z)))"
STABLE_BCE = ["mean(softplus(z) - y*z)", "mean(y*softplus(-z) + (1-y)*softplus(z))"]

# Per card with `stress`: forms the question forbids (each must be marked wrong), and stable ones (right).
NAIVE = {
    "bce-logits-formula": [NAIVE_BCE, "mean(log(1 + exp(z)) - y*z)"],
    "gan-discriminator-bce-formula": [
        "mean(-log(sigmoid(lr))) + mean(-log(1 - sigmoid(lf)))",
        "mean(softplus(-lr)) + mean(-log(1 - sigmoid(lf)))",  # one naive term is enough to fail
    ],
    "gan-generator-ns-formula": ["mean(-log(sigmoid(lf)))", "mean(log(1 + exp(-lf)))"],
    "ce-logits-formula": [
        "-mean(log(gather(softmax(z, 1), target)))",  # softmax first: "the classic bug"
        "mean(log(sum(exp(z), 1)) - gather(z, target))",
    ],
    "entropy-formula": [
        "-sum(softmax(z)*log(softmax(z)))",  # 0·log 0 = 0·(−inf) = nan where softmax underflows
        "-sum(exp(z)/sum(exp(z))*log(exp(z)/sum(exp(z))))",
    ],
    "iwae-formula": ["log(mean(exp(log_w)))", "log(sum(exp(log_w))/K)"],
    "log-cosh": ["mean(log((exp(r) + exp(-r))/2))", "mean(log(exp(r) + exp(-r)) - log(2))"],
}
STABLE = {
    "bce-logits-formula": [*STABLE_BCE, "mean(-y*logsigmoid(z) - (1-y)*logsigmoid(-z))"],
    "gan-discriminator-bce-formula": ["mean(-logsigmoid(lr)) + mean(-logsigmoid(-lf))"],
    "gan-generator-ns-formula": ["mean(-logsigmoid(lf))", "mean(softplus(-lf))"],
    "ce-logits-formula": ["mean(logsumexp(z, 1) - gather(z, target))", "-mean(gather(log_softmax(z, 1), target))"],
    "entropy-formula": [
        "-sum(softmax(z, 0) * log_softmax(z, 0))",  # softmax underflows to 0, log_softmax stays finite: 0·(−2000) = 0
        "-sum(softmax(z)*(z - logsumexp(z)))",
        "logsumexp(z, 0) - sum(softmax(z, 0)*z)",
    ],
    "iwae-formula": ["logsumexp(log_w, 0) - log(K)", "logsumexp(log_w) - log(K)"],
    "log-cosh": [
        "mean(abs(r) + softplus(-2*abs(r)) - log(2))",
        "mean(abs(r) + log1p(exp(-2*abs(r))) - log(2))",
        "mean(softplus(2*r) - r - log(2))",
    ],
}
# Formula cards that mention stability in passing but grade the card's point, not the stable form:
# their references are the naive form (focal: −α_t(1 − p_t)^γ log p_t; ORPO: log(P/(1 − P)) of
# log-probs, which are ≤ 0, so no ±magnitude stress case applies).
STABILITY_ASIDE = {"focal-formula", "orpo-odds-ratio-formula"}


# -- the built-in deck, where the user meets it ---------------------------------------------------


@pytest.mark.torch
def test_show_answer_marks_the_naive_bce_not_stable(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "bce-logits-formula", "--answer", NAIVE_BCE])
    assert result.exit_code == 1, result.output
    assert "✓ right" not in result.output and "Traceback" not in result.output
    line = " ".join(result.output.split())  # the verdict line, unwrapped from the terminal width
    assert "✗ not stable: at z up to ±1000 this gives nan; log(sigmoid(z)) is −inf once σ(z) rounds" in line
    assert "reference: mean(softplus(z) − y·z)" in result.output


@pytest.mark.torch
@pytest.mark.parametrize(
    ("card_id", "text", "says"),
    [
        ("ce-logits-formula", "-mean(log(gather(softmax(z,1),target)))", "this gives inf; softmax(z) underflows to 0"),
        ("ce-logits-formula", "mean(log(sum(exp(z), 1)) - gather(z, target))", "this gives inf;"),
        ("entropy-formula", "-sum(softmax(z)*log(softmax(z)))", "this gives nan; softmax(z) underflows to 0"),
        ("iwae-formula", "log(mean(exp(log_w)))", "at log_w up to ±1000 this gives"),
        ("log-cosh", "mean(log((exp(r) + exp(-r))/2))", "at r up to ±1000 this gives inf;"),
    ],
)
def test_show_answer_marks_a_naive_form_of_a_stability_card_not_stable(
    runner: CliRunner, card_id: str, text: str, says: str
) -> None:
    result = runner.invoke(app, ["show", card_id, "--answer", text])
    assert result.exit_code == 1, result.output
    line = " ".join(result.output.split())
    assert "✓ right" not in line and "✗ not stable:" in line and says in line, line
    assert "Traceback" not in result.output


@pytest.mark.torch
@pytest.mark.parametrize("text", STABLE_BCE)
def test_show_answer_passes_the_stable_bce_forms(runner: CliRunner, text: str) -> None:
    result = runner.invoke(app, ["show", "bce-logits-formula", "--answer", text])
    assert result.exit_code == 0, result.output
    assert "✓ right" in result.output and "not stable" not in result.output


@pytest.mark.torch
def test_show_answer_json_says_where_it_is_unstable(runner: CliRunner) -> None:
    import json

    result = runner.invoke(app, ["show", "bce-logits-formula", "--answer", "mean(log(1 + exp(z)) - y*z)", "--json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["right"] is False and data["disagreement"] is None
    assert data["unstable"]["at"] == "z up to ±1000" and data["unstable"]["got"] == "inf"


@pytest.mark.torch
def test_drill_records_the_naive_bce_as_a_wrong_review(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "LOSSQUIZ_HOME": str(data), "COLUMNS": "200", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "lossquiz", "drill", "--kind", "formula", "--card", "bce-logits-formula"]
        + ["--seed", "1", "--time-limit", "0"],
        input=f"{NAIVE_BCE}\nq\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    assert "✗ not stable: at z up to ±1000 this gives nan" in proc.stdout and "Traceback" not in proc.stderr
    rows = sqlite3.connect(data / "progress.db").execute("SELECT rating, correct, answer FROM reviews").fetchall()
    assert rows == [(1, 0, NAIVE_BCE)]


# -- every card of the deck that declares `stress` ------------------------------------------------


def test_every_formula_card_asking_for_a_stable_form_declares_stress() -> None:
    cards = load_deck(builtin_deck()).cards
    asking = {c.id for c in cards if c.kind == "formula" and re.search(r"\bstable\b", c.question)}
    assert asking == {c.id for c in cards if c.stress}
    assert asking == set(NAIVE) == set(STABLE)  # and each has its naive forms listed here


def test_every_formula_card_teaching_stability_asks_for_it_and_grades_it() -> None:
    # A card whose answer or key points teach a stable form (stability, overflow, "the classic bug")
    # says so in its question and declares stress, unless stability is only an aside there.
    teaching = re.compile(r"stabl|overflow|underflow|classic bug", re.IGNORECASE)
    cards = [c for c in load_deck(builtin_deck()).cards if c.kind == "formula"]
    teaches = {c.id for c in cards if teaching.search(" ".join([c.question, c.answer, *c.key_points]))}
    assert STABILITY_ASIDE <= teaches  # the exemptions are still real cards that mention it
    assert teaches - STABILITY_ASIDE == set(NAIVE)


@pytest.mark.torch
@pytest.mark.parametrize("card_id", sorted(NAIVE))
def test_each_stressed_card_passes_its_reference_and_fails_its_naive_forms(card_id: str) -> None:
    from lossquiz.study import recall
    from lossquiz.worker import formula_eval
    from tests.deck_snippets import BY_ID, CASES, snippet

    card = BY_ID[card_id]
    module = snippet(card.snippet or "")
    request = {**recall.formula_request(card), "seeds": CASES}
    assert formula_eval.handle(module, {**request, "mode": "validate"}) == {"right": True, "cases": len(CASES)}
    for text in STABLE[card_id]:
        assert formula_eval.grade_expression(module, request, text) == {"right": True, "cases": len(CASES)}, text
    for text in NAIVE[card_id]:
        verdict = formula_eval.grade_expression(module, request, text)
        assert verdict["right"] is False and "disagreement" not in verdict, (text, verdict)  # right but for stress
        assert verdict["unstable"]["got"] in ("inf", "-inf", "nan"), (text, verdict)


# -- the field at load, and in check --------------------------------------------------------------

CARD = """
- id: bce-stable
  title: BCE from logits, stably
  topic: classification
  kind: {kind}
  snippet: bce
  target: "{target}"
  variables: {{z: z, y: y, zero: z*0}}
  expression: {expression}
  stress: {stress}
  question: Write the mean BCE of logits `z` and labels `y` (and `zero`), numerically stable for large |z|.
  answer: mean(softplus(z) − y·z)
  key_points: [softplus(z) − y·z, never log σ(z)]
  source: fixture
"""


def _deck(tmp_path: Path, **fields: str) -> Path:
    deck = tmp_path / "recall"
    shutil.copytree(FIXTURES / "decks" / "recall", deck)
    values = {"kind": "formula", "target": "value", "expression": "mean(softplus(z) - y*z)", "stress": "{z: 1000}"}
    with (deck / "cards" / "01-recall.yaml").open("a") as f:
        f.write(CARD.format(**{**values, **fields}))
    trust_deck(deck)
    return deck


@pytest.mark.parametrize(
    ("stress", "says"),
    [
        ("big", "'stress' must be a mapping of variable -> magnitude, e.g. {z: 1000}, with an optional hint, not"),
        ("{z: big}", "'stress' z must be a positive number (the magnitude), not 'big'"),
        ("{z: -5}", "'stress' z must be a positive number (the magnitude), not -5"),
        ("{z: .nan}", "'stress' z must be a positive number (the magnitude), not nan"),
        ("{z: true}", "'stress' z must be a positive number (the magnitude), not True"),
        ("{w: 1000}", "'stress' names 'w', which is not one of the card's variables (z, y, zero)"),
        ('{hint: "why"}', "it names no variable"),
        ("{z: 1000, hint: [a]}", "'stress' hint must be text"),
    ],
)
def test_a_malformed_stress_is_refused_at_load_in_one_line(
    tmp_path: Path, runner: CliRunner, stress: str, says: str
) -> None:
    deck = _deck(tmp_path, stress=stress)
    result = runner.invoke(app, ["list", "--deck", str(deck)])
    assert result.exit_code == 3, result.output
    assert "invalid deck (1 problem)" in result.output and "Traceback" not in result.output
    (line,) = [x for x in result.output.splitlines() if "'stress'" in x]
    assert "card 'bce-stable'" in line and says in line, line


def test_stress_on_a_card_that_is_not_a_formula_card_is_refused(tmp_path: Path) -> None:
    from lossquiz.errors import DeckError

    with pytest.raises(DeckError) as info:
        load_deck(_deck(tmp_path, kind="numeric"))
    (problem,) = [p for p in info.value.problems if "stress" in p]
    assert re.fullmatch(
        r"recall/cards/01-recall\.yaml:\d+: card 'bce-stable': 'stress' is only for formula cards",
        problem,
    )


def test_stress_and_its_hint_survive_the_deck_cache(tmp_path: Path) -> None:
    deck = _deck(tmp_path, stress='{z: 1000, hint: "never  log σ(z)"}')
    first, again = load_deck(deck).by_id["bce-stable"], load_deck(deck).by_id["bce-stable"]
    assert first.stress == again.stress == (("z", 1000.0),)
    assert first.stress_hint == again.stress_hint == "never log σ(z)"


@pytest.mark.torch
@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"expression": f"'{NAIVE_BCE}'"}, "its expression is not finite at z up to ±1000 (its stress case): nan"),
        ({"stress": "{zero: 1000}"}, "stress: 'zero' is 0 on the fixed example, so it cannot be scaled to ±1000"),
    ],
)
def test_check_refuses_a_reference_that_fails_its_own_stress_case(
    tmp_path: Path, runner: CliRunner, fields: dict[str, str], says: str
) -> None:
    deck = _deck(tmp_path, **fields)
    result = runner.invoke(app, ["check", "bce-stable", "--deck", str(deck)])
    assert result.exit_code == 4, result.output
    assert says in " ".join(result.output.split()) and "Traceback" not in result.output


@pytest.mark.torch
def test_check_passes_a_stable_reference_under_stress(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(app, ["check", "bce-stable", "--deck", str(_deck(tmp_path))])
    assert result.exit_code == 0, result.output


@pytest.mark.torch
def test_stress_on_a_gradient_target_grades_the_typed_gradient(tmp_path: Path, runner: CliRunner) -> None:
    # The stress case compares against the card's reference expression, so a grad: target works too.
    deck = _deck(tmp_path, target="grad:z", expression="(sigmoid(z) - y) / 3")
    naive = runner.invoke(app, ["show", "bce-stable", "--answer", "(exp(z)/(1 + exp(z)) - y)/3", "--deck", str(deck)])
    assert naive.exit_code == 1, naive.output
    assert "✗ not stable: at z up to ±1000 this gives nan" in " ".join(naive.output.split())
    stable = runner.invoke(app, ["show", "bce-stable", "--answer", "(1/(1 + exp(-z)) - y)/3", "--deck", str(deck)])
    assert stable.exit_code == 0 and "✓ right" in stable.output, stable.output
