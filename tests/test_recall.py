"""Recall graded by numbers: the formula parser, formula grading, mistake diagnosis, hand-workability.

The parser runs in-process (no torch); grading runs in a real snippet worker on the fixture deck
tests/fixtures/decks/recall (Huber, MSE, BCE, CE, hinge with mistakes(), given() and formula cards).
"""

from __future__ import annotations

import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.clock import FixedClock
from lossquiz.deck.cards import Deck, load_deck
from lossquiz.progress.scheduling import make_scheduler
from lossquiz.progress.store import Store
from lossquiz.study import recall
from lossquiz.study.drill import Drill
from lossquiz.study.expression import ExpressionError, parse
from lossquiz.study.grading import auto_rating, is_correct
from lossquiz.study.queue import DrillOptions
from lossquiz.ui.drill_view import DrillScreen
from lossquiz.worker.client import Outcome, SnippetRunner
from tests.conftest import FIXTURES, trust_deck, trusted

RECALL = FIXTURES / "decks" / "recall"
NAMES = ["r", "delta", "z", "y", "x"]

# -- the parser (no torch) ------------------------------------------------------------------------

TOKENS = st.sampled_from(
    [*NAMES, "q", "pi", "0", "1", "2.5", "1e308", "9", "^", "**", "+", "-", "*", "/", "@", "(", ")", ",", "<=", ">",
     "==", "abs", "exp", "log", "where", "sum", "mean", "softmax", "max", "gather", "onehot", "lambda", ".", "[", "]",
     "'", "\\", "\x00", " ", "__import__", "if", "else", "and", "~", "%", "//", "|", "&", ":=", "½", "−", "·", "²"]
)  # fmt: skip


def _parse_or_reason(text: str) -> None:
    try:
        parsed = parse(text, NAMES)
    except ExpressionError as e:
        assert str(e) and "\n" not in str(e)  # one clear line
        return
    assert parsed.pretty()  # a parse result can always be echoed
    assert parsed.names <= {*NAMES, "pi"}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=800))
def test_arbitrary_text_parses_or_gets_one_clear_line(text: str) -> None:
    _parse_or_reason(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=120).map("".join))
def test_token_soup_parses_or_gets_one_clear_line(text: str) -> None:
    _parse_or_reason(text)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("r ^^ 2", "cannot read that"),
        ("0.5*q^2", "unknown name 'q'"),
        ("foo(r)", "unknown function 'foo'"),
        ("__import__('os').system('touch x')", "only the listed functions"),
        ("__import__('os')", "unknown function '__import__'"),
        ("r.real", "attribute access"),
        ("r[0]", "indexing"),
        ("lambda: 1", "lambda is not part"),
        ("exp", "exp is a function"),
        ("where(r > 0, r)", "where() takes 3 arguments"),
        ("sum(r, delta)", "axis of sum() must be a whole number"),
        ("(" * 300 + "r" + ")" * 300, "too long"),
        ("-" * 200 + "r", "too deeply nested"),
        ("r + 1e300", "too large"),
        ("'r'", "not a number"),
    ],
)
def test_bad_expressions_are_refused_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(ExpressionError, match=None) as e:
        parse(text, NAMES)
    assert says in str(e.value)


def test_unknown_names_and_syntax_errors_list_the_allowed_names() -> None:
    for text in ("0.5*q^2", "r ^^ 2"):
        with pytest.raises(ExpressionError) as e:
            parse(text, ["r", "delta"])
        assert "variables: r, delta" in str(e.value) and "sigmoid" in str(e.value)


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("0.5*r^2", "½·r²"),
        ("where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))", "where(|r| ≤ δ, r²/2, δ·(|r| − δ/2))"),
        ("sigmoid(z) - y", "σ(z) − y"),
        ("-(x - y)", "−(x − y)"),
        ("x - (y - z)", "x − (y − z)"),
        ("x/(y*z)", "x/(y·z)"),
        ("sum(x, 1)", "Σ(x; axis 1)"),
        ("norm(x - y, 1)", "‖x − y; axis 1‖₂"),  # the L2 norm along axis 1, never ‖x − y‖_1 (read as L1)
        ("norm(x)", "‖x‖"),
        ("sqrt(x+1)", "√(x + 1)"),
    ],
)
def test_echo_is_unicode_math(text: str, shown: str) -> None:
    assert parse(text, NAMES).pretty() == shown


def test_caret_is_power_and_typed_unicode_is_read() -> None:
    assert parse("r^2", NAMES).source == "r ** 2"
    assert parse("½ − r²·δ".replace("½", "0.5").replace("δ", "delta"), NAMES).source == "0.5 - r ** 2 * delta"


# -- grading formulas in the worker ---------------------------------------------------------------


@pytest.fixture(scope="module")
def worker() -> Iterator[SnippetRunner]:
    pytest.importorskip("torch")
    with SnippetRunner(trusted(RECALL), timeout=20) as runner:
        yield runner


@pytest.fixture(scope="module")
def deck() -> Deck:
    return load_deck(RECALL)


def _grade(worker: SnippetRunner, deck: Deck, card_id: str, text: str) -> recall.FormulaVerdict:
    card = deck.by_id[card_id]
    path = deck.snippet_path(card)
    assert path is not None
    return recall.grade_formula(worker, path, card, recall.read(card, text), recall.seeds(random.Random(7)))


EQUIVALENT = [
    ("huber-formula", "where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"),
    ("huber-formula", "where(abs(r) > delta, delta*abs(r) - 0.5*delta**2, 0.5*r*r)"),
    ("huber-formula", "min(abs(r), delta)*(abs(r) - min(abs(r), delta)/2)"),
    ("mse-formula", "mean((y - y_hat)^2)"),
    ("mse-formula", "mean((y_hat - y)*(y_hat - y))"),
    ("mse-formula", "sum((y - y_hat)^2)/sum(y^0)"),
    ("bce-grad", "(sigmoid(z) - y)/3"),
    ("bce-grad", "(1/(1 + exp(-z)) - y)/3"),
    ("ce-formula", "mean(logsumexp(logits, 1) - gather(logits, target))"),
    ("ce-formula", "-mean(sum(onehot(target, logits) * log_softmax(logits, 1), 1))"),
    ("ce-formula", "mean(-log(gather(softmax(logits, -1), target)))"),
    ("ce-grad", "(softmax(logits, 1) - onehot(target, logits))/N"),
    ("ce-grad", "(exp(log_softmax(logits, 1)) - onehot(target, logits))/sum(onehot(target, logits))"),
    ("hinge-formula", "mean(max(0, 1 - y*s))"),
    ("hinge-formula", "mean(relu(1 - s*y))"),
    ("hinge-formula", "sum(clip(1 - y*s, 0, 1e6))/4"),
]

WRONG = [
    ("huber-formula", "where(abs(r)<=delta, r^2, delta*(abs(r)-delta/2))", "missing the ½"),
    ("mse-formula", "sum((y - y_hat)^2)", "that is the sum"),
    ("mse-formula", "mean(abs(y - y_hat))", "mean absolute error"),
    ("bce-grad", "sigmoid(z) - y", "3× the reference: a sum"),
    ("bce-grad", "(y - sigmoid(z))/3", "sign flipped"),
    ("ce-formula", "sum(logsumexp(logits, 1) - gather(logits, target))", "that is the sum"),
    ("ce-formula", "mean(logsumexp(logits, 1) - gather(logits, target))/log(2)", "log base 2"),
    ("ce-formula", "mean(gather(logits, target) - logsumexp(logits, 1))", "sign flipped"),
    ("hinge-formula", "mean(1 - y*s)", "forgot the max(0, ·)"),
    ("hinge-formula", "sum(max(0, 1 - y*s))", "that is the sum"),
]


@pytest.mark.torch
@pytest.mark.parametrize(("card_id", "text"), EQUIVALENT)
def test_equivalent_forms_pass(worker: SnippetRunner, deck: Deck, card_id: str, text: str) -> None:
    verdict = _grade(worker, deck, card_id, text)
    assert verdict.right, verdict
    assert verdict.cases == 21  # the fixed example and 20 random problems


@pytest.mark.torch
@pytest.mark.parametrize(("card_id", "text", "named"), WRONG)
def test_classic_wrong_forms_fail_and_are_named(
    worker: SnippetRunner, deck: Deck, card_id: str, text: str, named: str
) -> None:
    verdict = _grade(worker, deck, card_id, text)
    assert not verdict.right
    assert verdict.hint is not None and named in verdict.hint, verdict.hint
    assert verdict.disagreement is not None and "expected" in verdict.disagreement


@pytest.mark.torch
def test_a_remembered_number_never_passes(worker: SnippetRunner, deck: Deck) -> None:
    card = deck.by_id["mse-formula"]
    path = deck.snippet_path(card)
    assert path is not None
    example = worker.run(path).data
    assert example is not None
    verdict = _grade(worker, deck, "mse-formula", repr(example["value"]))
    assert not verdict.right
    assert verdict.disagreement is not None and verdict.disagreement["case"].startswith("random problem")


@pytest.mark.torch
def test_a_shape_error_asks_again_rather_than_grading(worker: SnippetRunner, deck: Deck) -> None:
    with pytest.raises(recall.Retry, match=r"axis 2 does not exist — the argument is shape \(2, 3\)"):
        _grade(worker, deck, "ce-formula", "mean(sum(logits, 2))")


@pytest.mark.torch
def test_huge_powers_are_inf_not_a_hang(worker: SnippetRunner, deck: Deck) -> None:
    verdict = _grade(worker, deck, "mse-formula", "9^9^9^9")
    assert not verdict.right


# -- show --answer --------------------------------------------------------------------------------


@pytest.fixture
def trusted_recall(tmp_path: Path) -> Path:
    target = tmp_path / "recall"
    shutil.copytree(RECALL, target)
    trust_deck(target)
    return target


@pytest.mark.torch
def test_show_answer_huber_missing_pieces_is_wrong_and_says_where(runner: CliRunner, trusted_recall: Path) -> None:
    result = runner.invoke(app, ["show", "huber", "--answer", "0.5*r^2", "--deck", str(trusted_recall)])
    assert result.exit_code == 1, result.output
    assert "you wrote: ½·r²" in result.output
    assert "✗ wrong" in result.output
    # residuals of the fixed example: -0.5, 0, 3, -0.2 with delta 1; only the 3rd (from 1) is outside |r| <= delta
    assert "first disagreement on the fixed example, element 3 of 4:" in result.output
    assert result.output.count("element 3") == 1  # named once
    assert "r = 3, delta = 1" in result.output
    assert "reference: where(|r| ≤ δ, r²/2, δ·(|r| − δ/2))" in result.output


@pytest.mark.torch
def test_show_answer_full_huber_is_right(runner: CliRunner, trusted_recall: Path) -> None:
    expr = "where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"
    result = runner.invoke(app, ["show", "huber", "--answer", expr, "--deck", str(trusted_recall)])
    assert result.exit_code == 0, result.output
    assert "✓ right" in result.output and "20 random problems" in result.output


@pytest.mark.torch
def test_show_answer_json_and_bad_input(runner: CliRunner, trusted_recall: Path) -> None:
    import json

    args = ["show", "mse", "--answer", "sum((y-y_hat)^2)", "--json", "--deck", str(trusted_recall)]
    result = runner.invoke(app, args)
    data = json.loads(result.stdout)
    assert data["card"] == "mse-formula" and data["right"] is False and "sum" in data["hint"]
    bad = runner.invoke(app, ["show", "mse", "--answer", "0.5*q^2", "--deck", str(trusted_recall)])
    assert bad.exit_code == 2 and "unknown name 'q'" in bad.output and "Traceback" not in bad.output


def test_show_answer_on_a_card_without_formula_card_is_a_usage_error(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["show", "square", "--answer", "x", "--deck", str(deck_dir)])
    assert result.exit_code == 2 and "no formula card" in result.output


# -- check ----------------------------------------------------------------------------------------


def _add_card(deck_dir: Path, text: str) -> None:
    with (deck_dir / "cards" / "01-recall.yaml").open("a") as f:
        f.write("\n" + text)
    trust_deck(deck_dir)


LOG_SNIPPET = """
import math, random
import torch
REFERENCE = "math.log"
def example():
    return {"p": torch.tensor([0.3, 0.6])}
def problem(rng):
    return {"p": torch.tensor([rng.randint(11, 89) / 100 for _ in range(2)])}
def loss(p):
    return {"value": -torch.log(p).mean()}
def reference(p):
    return torch.tensor(-sum(math.log(v) for v in p.tolist()) / 2)
"""
LOG_CARD = """- id: nll
  topic: classification
  kind: numeric
  question: Mean negative log-likelihood of the probabilities `p`.
  answer: -mean(log p)
  key_points: [log, mean]
  snippet: nll
  source: fixture
{extra}"""


@pytest.mark.torch
def test_check_fails_on_a_numeric_card_needing_unsupplied_logs(runner: CliRunner, trusted_recall: Path) -> None:
    (trusted_recall / "snippets" / "nll.py").write_text(LOG_SNIPPET)
    _add_card(trusted_recall, LOG_CARD.format(extra=""))
    result = runner.invoke(app, ["check", "nll", "--deck", str(trusted_recall)])
    assert result.exit_code == 4, result.output
    assert "card 'nll'" in result.output and "calculator: true" in result.output and "log" in result.output


@pytest.mark.torch
def test_check_passes_the_same_card_marked_calculator(runner: CliRunner, trusted_recall: Path) -> None:
    (trusted_recall / "snippets" / "nll.py").write_text(LOG_SNIPPET)
    _add_card(trusted_recall, LOG_CARD.format(extra="  calculator: true\n"))
    result = runner.invoke(app, ["check", "nll", "--deck", str(trusted_recall)])
    assert result.exit_code == 0, result.output


@pytest.mark.torch
def test_check_passes_the_same_card_with_given_values(runner: CliRunner, trusted_recall: Path) -> None:
    body = LOG_SNIPPET + '\ndef given(p):\n    return {f"ln {v:g}": math.log(v) for v in p.tolist()}\n'
    (trusted_recall / "snippets" / "nll.py").write_text(body)
    _add_card(trusted_recall, LOG_CARD.format(extra=""))
    result = runner.invoke(app, ["check", "nll", "--deck", str(trusted_recall)])
    assert result.exit_code == 0, result.output


@pytest.mark.torch
def test_a_log_in_a_step_the_card_does_not_grade_needs_no_calculator(runner: CliRunner, trusted_recall: Path) -> None:
    # The graded value is the mean of p; the log is only a shown step. The audit follows data flow.
    body = LOG_SNIPPET.replace(
        'return {"value": -torch.log(p).mean()}', 'return {"nll": -torch.log(p).mean(), "value": p.mean()}'
    ).replace("-sum(math.log(v) for v in p.tolist()) / 2", "sum(p.tolist()) / 2")
    (trusted_recall / "snippets" / "nll.py").write_text(body)
    _add_card(trusted_recall, LOG_CARD.format(extra=""))
    result = runner.invoke(app, ["check", "nll", "--deck", str(trusted_recall)])
    assert result.exit_code == 0, result.output


@pytest.mark.torch
def test_check_fails_when_a_formula_cards_expression_disagrees(runner: CliRunner, trusted_recall: Path) -> None:
    path = trusted_recall / "cards" / "01-recall.yaml"
    text = path.read_text().replace("expression: mean(max(0, 1 - y*s))", "expression: mean(max(0, 1 - y*s))/2")
    path.write_text(text)
    trust_deck(trusted_recall)
    result = runner.invoke(app, ["check", "hinge-formula", "--deck", str(trusted_recall)])
    assert result.exit_code == 4, result.output
    assert "card 'hinge-formula': its expression disagrees with the snippet" in result.output


# -- numeric answers: mistakes and given values in the drill --------------------------------------


class Script:
    """Types answers computed from the problem the worker just drew, each after `seconds`."""

    def __init__(self, clock: FixedClock, answers: list[tuple[Any, float]]) -> None:
        self.clock, self.answers = clock, list(answers)
        self.last: dict[str, Any] | None = None

    def warm_up(self) -> None:  # the first card is on screen: nothing to load
        pass

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str:
        if not self.answers:
            raise EOFError
        answer, seconds = self.answers.pop(0)
        self.clock.advance(timedelta(seconds=seconds))
        return answer(self.last) if callable(answer) else str(answer)


class Recording(SnippetRunner):
    script: Script | None = None

    def run(self, path: Path, *, seed: int | None = None) -> Outcome:
        outcome = super().run(path, seed=seed)
        if self.script is not None:
            self.script.last = outcome.data
        return outcome


def _drill(deck_dir: Path, data: Path, clock: FixedClock, answers: list[tuple[Any, float]], **options: Any) -> str:
    out = io.StringIO()
    console = Console(file=out, width=120, no_color=True)
    script = Script(clock, answers)
    with Store.open(data) as store, Recording(trusted(deck_dir), timeout=20) as runner:
        runner.script = script
        opts = DrillOptions(seed=3, **options)
        drill = Drill(load_deck(deck_dir), store, runner, DrillScreen(console), script, clock, opts)
        drill.scheduler = make_scheduler(fuzz=False)
        drill.run()
    return out.getvalue()


def _reviews(data: Path) -> list[tuple[Any, ...]]:
    with Store.open(data) as store:
        return list(
            store.conn.execute(
                "SELECT c.slug, r.rating, r.correct, r.answer FROM reviews r JOIN cards c ON c.id = r.card_id "
                "ORDER BY r.id"
            ).fetchall()
        )


def _sum_of_squares(data: dict[str, Any] | None) -> str:
    assert data is not None
    y, y_hat = data["inputs"]["y"], data["inputs"]["y_hat"]
    return f"{sum((a - b) ** 2 for a, b in zip(y, y_hat, strict=True)):.6f}"


@pytest.mark.torch
def test_a_numeric_answer_equal_to_the_sum_is_told_it_is_the_sum(clock: FixedClock, tmp_path: Path) -> None:
    out = _drill(RECALL, tmp_path / "data", clock, [(_sum_of_squares, 5)], card_ids=("mse",))
    assert "✗ wrong" in out
    assert "→ that is the sum; the card asks for the mean" in out
    assert _reviews(tmp_path / "data")[0][:3] == ("mse", 1, 0)


@pytest.mark.torch
def test_without_mistakes_the_constant_factor_still_names_the_sum(clock: FixedClock, tmp_path: Path) -> None:
    deck = tmp_path / "recall"
    shutil.copytree(RECALL, deck)
    snippet = deck / "snippets" / "mse.py"
    snippet.write_text(snippet.read_text().replace("def mistakes(", "def _not_declared("))
    out = _drill(deck, tmp_path / "data", clock, [(_sum_of_squares, 5)], card_ids=("mse",))
    assert "✗ wrong" in out and "a sum where the convention is the mean" in out


@pytest.mark.torch
def test_given_values_are_shown_under_the_problem(clock: FixedClock, tmp_path: Path) -> None:
    out = _drill(RECALL, tmp_path / "data", clock, [("q", 1)], card_ids=("bce",))
    assert "given: softplus(" in out


def test_calculator_is_said_before_the_question() -> None:
    from dataclasses import replace

    from lossquiz.ui.drill_view import drill_card

    card = replace(load_deck(RECALL).by_id["bce"], calculator=True)
    text = io.StringIO()
    Console(file=text, width=100, no_color=True).print(drill_card(card, "1/1", 60))
    lines = text.getvalue().splitlines()
    assert any("calculator allowed" in line for line in lines)
    assert [i for i, line in enumerate(lines) if "calculator allowed" in line][0] < [
        i for i, line in enumerate(lines) if "Compute the mean binary" in line
    ][0]


# -- the formula drill ----------------------------------------------------------------------------


@pytest.mark.torch
def test_formula_drill_reprompts_on_typos_then_grades_like_numeric(clock: FixedClock, tmp_path: Path) -> None:
    data = tmp_path / "data"
    full = "where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"
    answers = [("0.5*q^2", 3), ("r ^^ 2", 3), ("0.5*r^2", 4), ("s", 1), (full, 10)]
    out = _drill(RECALL, data, clock, answers, card_ids=("huber-formula", "mse-formula"), kinds=("formula",))
    assert "unknown name 'q'" in out and "variables: r, delta" in out  # re-prompted, nothing recorded
    assert "you wrote: ½·r²" in out and "✗ wrong" in out and "reference: where(|r| ≤ δ" in out
    reviews = _reviews(data)
    assert reviews[0] == ("huber-formula", 1, 0, "0.5*r^2")  # wrong → Again, typos not recorded
    assert len(reviews) == 2 and reviews[1][:3] == ("huber-formula", 3, 1)  # it came back; right → Good


@pytest.mark.torch
def test_drill_kind_formula_through_a_pipe(tmp_path: Path) -> None:
    data = tmp_path / "data"
    deck = tmp_path / "recall"
    shutil.copytree(RECALL, deck)
    trust_deck(deck, data)
    env = {**os.environ, "LOSSQUIZ_HOME": str(data), "COLUMNS": "100", "NO_COLOR": "1"}
    typed = "nonsense(\n0.5*r^2\nwhere(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))\nq\n"
    proc = subprocess.run(
        [sys.executable, "-m", "lossquiz", "drill", "--kind", "formula", "--card", "huber-formula"]
        + ["--deck", str(deck), "--seed", "1", "--time-limit", "0"],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    assert "cannot read that" in proc.stdout and "✗ wrong" in proc.stdout and "✓ right" in proc.stdout
    assert "Traceback" not in proc.stderr
    rows = sqlite3.connect(data / "progress.db").execute("SELECT rating, correct FROM reviews ORDER BY id").fetchall()
    assert rows == [(1, 0), (3, 1)]


# -- tolerance and rating -------------------------------------------------------------------------


def test_tolerance_is_relative_with_a_small_floor() -> None:
    assert is_correct(0.0505, 0.05, 0.01)  # within the 0.001 floor
    assert not is_correct(0.0, 0.05, 0.01)  # typing 0 for a small value fails (±0.01 absolute passed it)
    assert is_correct(101.0, 100.0, 0.01) and not is_correct(102.0, 100.0, 0.01)
    assert is_correct(0.0004, 0.0, 0.01)


def test_right_answers_are_good_unless_clearly_fast_for_this_card() -> None:
    assert auto_rating(False, 1, 60) == 1
    assert auto_rating(True, 70, 60) == 2
    assert auto_rating(True, 4, 60) == 3  # fast against the limit is not Easy any more
    assert auto_rating(True, 4, 60, [20_000, 22_000]) == 3  # too little history to call it fast
    assert auto_rating(True, 4, 60, [20_000, 22_000, 18_000]) == 4  # under half its median of 20 s
    assert auto_rating(True, 12, 60, [20_000, 22_000, 18_000]) == 3


@pytest.mark.torch
def test_easy_comes_from_the_cards_own_history(clock: FixedClock, tmp_path: Path) -> None:
    from lossquiz.progress.store import ReviewInput

    data = tmp_path / "data"
    with Store.open(data) as store:
        store.sync_cards((c.id, c.content_hash()) for c in load_deck(RECALL).cards)
        for i in range(3):
            at = clock.now() - timedelta(days=30 - i)
            store.record_review(ReviewInput("mse", 3, at, 30_000, correct=True, answer="1"), None)

    def mean_of_squares(d: dict[str, Any] | None) -> str:
        assert d is not None
        return f"{d['value']:.6f}"

    _drill(RECALL, data, clock, [(mean_of_squares, 5)], card_ids=("mse",), cram=True)
    assert _reviews(data)[-1][:3] == ("mse", 4, 1)  # 5 s against a usual 30 s


@pytest.mark.torch
def test_a_formula_answers_time_ends_at_enter_not_after_grading(
    clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eighteenth newcomer pass N18-1: a right formula typed in 1 s was recorded Hard · 2s — the
    worker still loading torch to grade it was counted as the user's time."""
    slow = recall.grade_formula

    def loading_torch(*args: Any, **kwargs: Any) -> recall.FormulaVerdict:
        clock.advance(timedelta(seconds=30))
        return slow(*args, **kwargs)

    monkeypatch.setattr(recall, "grade_formula", loading_torch)
    data = tmp_path / "data"
    full = "where(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))"
    out = _drill(RECALL, data, clock, [(full, 4)], card_ids=("huber-formula",), kinds=("formula",), time_limit=20)
    assert "✓ right" in out and "recorded Good · 4s" in out, out
    with Store.open(data) as store:
        assert store.conn.execute("SELECT duration_ms FROM reviews").fetchall() == [(4000,)]


@pytest.mark.torch
def test_ctrl_c_while_a_formula_is_graded_says_that_answer_was_not_recorded(
    clock: FixedClock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """N18-2: Ctrl-C during grading ended with "everything answered is saved" and 0 cards answered."""

    def interrupted(*args: Any, **kwargs: Any) -> recall.FormulaVerdict:
        raise KeyboardInterrupt

    monkeypatch.setattr(recall, "grade_formula", interrupted)
    data = tmp_path / "data"
    out = _drill(RECALL, data, clock, [("r^2/2", 2)], card_ids=("huber-formula",), kinds=("formula",))
    assert "you wrote: r²/2\ninterrupted while checking that answer: it was not recorded" in out, out
    assert _reviews(data) == []
