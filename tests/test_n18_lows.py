"""Lows left by the eighteenth newcomer pass (N18-4, N18-7, …)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.deck.practice_tasks import load_tasks
from lossquiz.paths import builtin_deck
from lossquiz.study import practice
from tests.conftest import trusted


def test_the_focal_practice_stub_names_gamma_as_torchvision_does() -> None:
    """N18-4: the stub said `gamma_focal`, so an attempt written from torchvision's
    sigmoid_focal_loss(…, alpha, gamma) failed its signature check."""
    deck = load_deck(builtin_deck())
    task = load_tasks(deck)["focal"]
    stub = practice.template(task, deck.by_id["focal"])
    assert "gamma: float = 2.0" in stub and "gamma_focal" not in stub


@pytest.mark.torch
def test_plot_json_has_no_float32_noise(env: Path, runner: CliRunner) -> None:
    """N18-7: `show huber --plot --json` printed x = -2.9749999046325684 for -2.975."""
    result = runner.invoke(app, ["show", "huber", "--plot", "--json"])
    assert result.exit_code == 0, result.output
    xs = [x for plot in json.loads(result.stdout)["plots"] for s in plot["series"] for x in s["x"]]
    assert -2.975 in xs
    noisy = [x for x in xs if x != float(f"{x:.6g}") or 0 < abs(x) < 1e-6]
    assert not noisy, noisy[:3]


def test_a_card_without_a_plot_names_one_card_per_topic_not_all_88(env: Path, runner: CliRunner) -> None:
    """N18-8: the refusal listed all 88 cards with a plot, 1,600 characters on one line."""
    result = runner.invoke(app, ["show", "elbo", "--plot"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and len(line) < 400, line
    assert "cards have one; the first in each topic: mse-mae-huber, cross-entropy," in line


@pytest.mark.parametrize(
    ("latex", "shown"),
    [
        (r"y_w, y_l", "y_w, y_l"),  # no subscript w in unicode: the l follows the w
        (r"\pi(y_w|x) - \pi(y_l|x) + x_t", "π(y_w|x) − π(y_l|x) + xₜ"),  # another letter keeps its own
        (r"y_l + x_t", "yₗ + xₜ"),  # nothing unwritable: unicode subscripts
        (r"e^{z_j} - z_y", "e^zⱼ − z_y"),  # a subscript in a superscript is not split from it
    ],
)
def test_one_letter_has_one_subscript_style_in_a_formula(latex: str, shown: str) -> None:
    """N17-3: the DPO formula read `y_w` beside `yₗ`, as if the two were different kinds of index."""
    from lossquiz.deck.latex import to_unicode

    assert to_unicode(latex) == shown


@pytest.mark.parametrize("width", [50, 60, 80])  # the longest term and its indent fit in 50
def test_given_values_wrap_between_terms_never_inside_one(width: int) -> None:
    """N14-12: `given:` wrapped as prose, so `ln σ(1.5) = ln(1 − σ(-1.5)) = -0.2014` broke over two lines."""
    from rich.console import Console

    from lossquiz.ui.drill_view import given

    values = {"σ(-1.5)": 0.1824, "ln σ(1.5) = ln(1 − σ(-1.5))": -0.2014, "σ(2.3)": 0.9089, "ln σ(-2.3)": -2.3955}
    console = Console(width=width, record=True, color_system=None)
    console.print(given(values))
    lines = console.export_text().splitlines()
    assert lines[0].startswith("given: σ(-1.5) = 0.1824")
    for term in (f"{k} = {v}" for k, v in values.items()):
        assert sum(term in line for line in lines) == 1, (term, lines)
    assert all(len(line) <= width for line in lines)


def test_an_interrupted_cram_summary_fits_80_columns() -> None:
    """N19-2: the title "session interrupted — everything answered is saved (cram: schedule unchanged)"
    was cut at 80 columns ("…(cram: schedule unchange─╮"); the cram note is a row now."""
    from rich.console import Console

    from lossquiz.progress.store import SessionSummary
    from lossquiz.ui import drill_view

    summary = SessionSummary(
        reviews=1, graded=0, correct=0, ratings={1: 1}, seconds=5, due_now=0, due_today=0, next_due=None
    )
    console = Console(width=80, record=True, no_color=True)
    console.print(drill_view.summary(summary, interrupted=True, cram=True))
    text = console.export_text()
    assert "session interrupted — everything answered is saved" in text
    assert "answers recorded, schedule unchanged" in text, text
    assert all(len(line) <= 80 for line in text.splitlines())


def test_a_greek_letter_typed_is_the_variable_the_echo_writes_with_it() -> None:
    """N19-5: the echo writes `delta` as δ, but typing `δ*abs(r)` was "unknown name 'δ'"."""
    from lossquiz.study.expression import ExpressionError, parse

    assert parse("δ*abs(r)", ["r", "delta"]).source == "delta * abs(r)"
    assert parse("σ(z) - y", ["z", "y"]).source == "sigmoid(z) - y"
    assert parse("2*π*σ", ["sigma"]).source == "2 * pi * sigma"  # σ not called: the variable sigma
    assert parse("τ*(y - ŷ)", ["y", "y_hat", "tau"]).source == "tau * (y - y_hat)"  # N22-4: as the echo writes it
    with pytest.raises(ExpressionError, match="unknown name 'δ'"):
        parse("δ*r", ["r"])  # no variable delta on this card


def test_one_review_kept_is_said_in_the_singular(runner: CliRunner, tmp_path: Path) -> None:
    """N19-7: `optimize` on a history of one review said "1 reviews kept so far"."""
    from datetime import datetime, timezone

    from lossquiz.progress.store import ReviewInput, Store

    with Store.open(tmp_path) as store:
        store.sync_cards([("huber", "h")])
        store.record_review(ReviewInput("huber", 1, datetime(2025, 1, 1, tzinfo=timezone.utc), 1000), None)
    result = runner.invoke(app, ["optimize", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "— 1 review kept so far)" in result.stderr, result.stderr


def test_a_rating_with_a_key_too_many_says_enter_ends_it(runner: CliRunner, tmp_path: Path) -> None:
    """N19-8: `3q` at the rating prompt was refused with no word that a rating is one key and Enter."""
    from tests.test_card_cli import run
    from tests.test_promise import concept_deck

    deck = concept_deck(tmp_path / "deck", 1)
    out = run(runner, "drill", "--deck", str(deck), "--time-limit", "0", input="\n3q\n3\n").stdout
    assert "type one of 1 Again, 2 Hard, 3 Good or 4 Easy (or a, h, g, e), then Enter" in out, out
    assert "recorded Good" in out


def test_logsumexp_without_an_axis_is_over_the_last_axis_as_softmax_is(env: Path, runner: CliRunner) -> None:
    """N20-1: with no axis, logsumexp(z) reduced every element of a batch while softmax and log_softmax
    worked per row, so the card's own answer, logsumexp(z) − z_target per row, typed, was wrong."""
    for typed in ("mean(logsumexp(z) - gather(z, target))", "-mean(gather(log_softmax(z), target))"):
        result = runner.invoke(app, ["show", "ce-logits-formula", "--answer", typed])
        assert result.exit_code == 0, (typed, result.output)
    result = runner.invoke(app, ["show", "ce-logits-formula", "--answer", "mean(z - logsumexp(z))"])
    assert result.exit_code != 0
    assert "logsumexp(x) drops the last axis (one value per row of a matrix)" in result.stderr, result.stderr


def test_the_echo_keeps_the_brackets_of_a_matrix_product_on_the_right() -> None:
    """N20-3: `a * (k @ q)` was echoed `a·k @ q`, which reads as (a·k) @ q."""
    from lossquiz.study.expression import parse

    assert parse("a * (k @ q)", ["a", "k", "q"]).pretty() == "a·(k @ q)"
    assert parse("(a * k) @ q", ["a", "k", "q"]).pretty() == "a·k @ q"
    assert parse("a * (b * c)", ["a", "b", "c"]).pretty() == "a·b·c"


def test_check_of_a_deck_without_snippets_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    """N20-7: `check` on an imported Markdown deck printed an empty table header and
    "0/0 snippets agree with their references (0 cases)"."""
    notes = tmp_path / "n.md"
    notes.write_text("# Regression\n\n#### Q: What is MSE?\n\nThe mean of squared residuals.\n", encoding="utf-8")
    assert runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")]).exit_code == 0
    result = runner.invoke(app, ["check", "--deck", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    assert result.stdout == "deck valid: 1 card, no snippets to run\n"


def test_a_busiest_day_of_one_review_is_singular(runner: CliRunner, tmp_path: Path) -> None:
    """N20-9: `stats` after a single review said "(busiest day: 1 reviews)"."""
    from datetime import datetime, timezone

    from lossquiz.progress.store import ReviewInput, Store

    with Store.open(tmp_path) as store:
        store.sync_cards([("huber", "h")])
        store.record_review(ReviewInput("huber", 3, datetime.now(timezone.utc), 1000, cram=True), None)
    result = runner.invoke(app, ["stats", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "(busiest day: 1 review)" in result.stdout, result.stdout


@pytest.mark.torch
def test_a_negative_factor_names_the_flipped_sign_and_the_size() -> None:
    """N20 (feedback): `onehot(target, z) − softmax(z, 1)` for CE's mean gradient is −n× the reference
    (a flipped sign and no /n) and got no hint; −1× alone keeps the sign hint."""
    import torch

    from lossquiz.worker.compare import SIGN_FLIPPED, factor_hint

    def case(factor: float, n: int) -> tuple[torch.Tensor, torch.Tensor, dict[str, object]]:
        e = torch.arange(1.0, n + 1, dtype=torch.float64)
        return e * factor, e, {"y": torch.zeros(n)}

    hint = factor_hint([case(-3, 3), case(-4, 4)])  # type: ignore[list-item]
    assert hint == "−3× the reference: the sign flipped, and a sum where the convention is the mean (reduction)?"
    assert factor_hint([case(-2, 3), case(-2, 4)]) == "−2× the reference: the sign flipped, and a missing ½?"  # type: ignore[list-item]
    assert factor_hint([case(-1, 3), case(-1, 4)]) == SIGN_FLIPPED  # type: ignore[list-item]
    assert factor_hint([case(-3, 3), case(2, 4)]) is None  # type: ignore[list-item]


def test_alpha_on_every_element_of_the_focal_loss_is_named(env: Path, runner: CliRunner) -> None:
    """N20 (feedback): `-alpha * (1 - p_t)^gamma * log p_t`, α with no α_t, got no hint."""
    p_t = "(y*sigmoid(z) + (1 - y)*(1 - sigmoid(z)))"
    result = runner.invoke(app, ["show", "focal-formula", "--answer", f"-alpha * (1 - {p_t})^gamma * log({p_t})"])
    assert result.exit_code == 1
    assert "alpha on every element: alpha weights the positives, the negatives (y = 0) get 1 - alpha" in " ".join(
        result.stdout.split()
    ), result.stdout


@pytest.mark.torch
def test_every_concept_reveal_fits_24_rows_with_the_question_above_it() -> None:
    """N21-1: at 80×24 the reveal of mse-mae-huber ran to 48 rows, so at the rating prompt the
    question and the answer to rate oneself against had scrolled off. A terminal gets the answer
    cut (the rest: `lossquiz show`) and the live steps in a line; a pipe still gets everything."""
    from datetime import datetime, timezone

    from rich.console import Console

    from lossquiz.progress import scheduling
    from lossquiz.ui.drill_view import DrillScreen
    from lossquiz.worker.client import SnippetRunner

    deck = load_deck(builtin_deck())
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    intervals = scheduling.preview(scheduling.make_scheduler(), scheduling.load(None, 1, now), now=now)
    cut = 0
    with SnippetRunner(trusted(builtin_deck()), timeout=30) as runner:
        for card in (c for c in deck.cards if c.kind in ("concept", "quickfire")):
            path = deck.snippet_path(card)
            data = runner.run(path).data if path is not None else None
            for terminal in (True, False):
                console = Console(width=80, height=24, force_terminal=terminal, record=True, color_system=None)
                screen = DrillScreen(console)
                screen.card(card, "1/1", 0)
                prompt = "Enter to reveal, or type your answer first (s skip · u undo · q quit) > my answer"
                console.print(prompt)
                screen.answer(card, "my answer", prompt=prompt)
                if data is not None:
                    screen.worked(data, label=f"live: snippets/{card.snippet}.py")
                screen.choices(intervals, cram=False)
                console.print("rate 1-4 or a/h/g/e (u undo · q quit) > ")
                rows = console.export_text().rstrip("\n").splitlines()
                text = " ".join(" ".join(rows).split())
                if terminal:
                    assert len(rows) <= 24, (card.id, len(rows), rows)
                    assert rows[0].startswith("1/1  ") and card.id in text.split("Enter to reveal")[0], rows[:2]
                    cut += "(the whole answer:" in text
                else:  # a pipe: the whole answer and every step
                    assert "(the whole answer:" not in text and "every step:" not in text, card.id
    assert cut > 0  # some answers are too long for 24 rows: the test is not vacuous


def test_a_reduction_over_axis_0_says_per_row_is_axis_1(env: Path, runner: CliRunner) -> None:
    """N21-7: `logsumexp(z, 0) - gather(z, target)` was told it "does not work column by column"."""
    result = runner.invoke(app, ["show", "ce-logits-formula", "--answer", "mean(logsumexp(z, 0) - gather(z, target))"])
    assert result.exit_code == 2
    assert "one value per column of a matrix, not per row: one value per row is axis 1" in result.stderr, result.stderr
    assert "column by column" not in result.stderr


def test_a_dpo_formula_without_beta_is_named(env: Path, runner: CliRunner) -> None:
    """N21-6: `mean(-logsigmoid((pc-rc)-(pr-rr)))`, a forgotten β, got no hint."""
    result = runner.invoke(app, ["show", "dpo-formula", "--answer", "mean(-logsigmoid((pc-rc)-(pr-rr)))"])
    assert result.exit_code == 1
    assert "β left out: the implicit reward is β·(log π − log π_ref)" in " ".join(result.stdout.split()), result.stdout


def test_no_card_line_starts_a_list_by_accident() -> None:
    """N22-2: label-smoothing's answer wrapped before `+ ε/K`, and Markdown read that line as a list
    item: y_LS = (1 − ε)·onehot showed with `• ε/K` under it, in the terminal, Anki and md exports.
    The deck's lists are `- ` items; a line starting `+ ` or `* ` is a sentence broken at a sign."""
    import re

    broken = [
        (card.id, line.strip())
        for card in load_deck(builtin_deck()).cards
        for text in (card.question, card.answer)
        for line in text.splitlines()[1:]
        if re.match(r"\s*[+*]\s", line)
    ]
    assert not broken, broken


@pytest.mark.parametrize(("width", "height", "whole"), [(120, 40, True), (60, 16, False)])
def test_a_formula_reveal_is_whole_where_the_terminal_holds_it(width: int, height: int, whole: bool) -> None:
    """N22-3: at 120×40, log-cosh's formula reveal was cut to 4 lines of its answer, with 13 empty
    rows under the prompt; only a terminal too short for it gets the compact answer."""
    from rich.console import Console

    from lossquiz.study.recall import FormulaVerdict
    from lossquiz.ui.drill_view import DrillScreen

    card = load_deck(builtin_deck()).by_id["log-cosh"]
    console = Console(width=width, height=height, force_terminal=True, record=True, color_system=None)
    screen = DrillScreen(console)
    screen.card(card, "1/1", 0)
    verdict = FormulaVerdict(right=True, wrote="log(cosh(r))", cases=21, reference="ln(cosh(r))")
    screen.formula(verdict, card, 3, 2.0, None)
    text = " ".join(console.export_text().split())
    cut = "(the whole answer: lossquiz show log-cosh)" in text or "its key points: lossquiz show log-cosh" in text
    assert cut is not whole, text


@pytest.mark.torch
@pytest.mark.parametrize(("height", "panel"), [(24, False), (60, True)])
def test_a_numeric_verdict_leaves_room_for_the_next_card(height: int, panel: bool) -> None:
    """N22-1: at 80×24 mae's 12-row worked-steps box fitted under its verdict, then the next card
    pushed the verdict (`✗ wrong  you typed 8.5 …`) off the screen; the steps are one line there."""
    from rich.console import Console

    from lossquiz.ui.drill_view import DrillScreen
    from lossquiz.worker.client import SnippetRunner

    deck = load_deck(builtin_deck())
    card = deck.by_id["mae"]
    with SnippetRunner(trusted(builtin_deck()), timeout=30) as runner:
        data = runner.run(deck.snippet_path(card), seed=7).data  # type: ignore[arg-type]
    assert data is not None
    console = Console(width=80, height=height, force_terminal=True, record=True, color_system=None)
    screen = DrillScreen(console)
    screen.card(card, "3/10", 60)
    screen.problem(data["inputs"], card)
    screen.graded(False, 8.5, float(data["value"]), card, 1, 5.0, 60, None)
    screen.worked(data, label="worked steps (seed 7)", seed=7)
    text = console.export_text()
    assert ("every step: lossquiz show mae --seed 7" not in " ".join(text.split())) is panel, text
    assert ("╭─ worked steps (seed 7)" in text) is panel


def test_undoing_a_cram_answer_does_not_claim_a_schedule_came_back(runner: CliRunner, tmp_path: Path) -> None:
    """N22-8: `u` after a cram rating said "(its previous schedule is back)" of a schedule cram never moved."""
    from tests.test_card_cli import run
    from tests.test_promise import concept_deck

    deck = concept_deck(tmp_path / "deck", 2)
    out = run(runner, "drill", "--deck", str(deck), "--cram", "--new", "2", input="\n3\nu\nq\n").stdout
    assert "(a cram answer: its schedule never moved)" in out, out
    assert "its previous schedule is back" not in out
    help_text = runner.invoke(app, ["import", "--help"], env={"COLUMNS": "200"}).stdout
    assert "not imported from FILE" in help_text  # N22-9: the argument is FILE, not NOTES


def test_two_answers_in_one_millisecond_export_to_anki(runner: CliRunner, tmp_path: Path) -> None:
    """N23-1: cards drilled under a frozen LOSSQUIZ_NOW share one time, and `export --with-history`
    died with 'UNIQUE constraint failed: revlog.id' (Anki's revlog id is the time in milliseconds)."""
    from tests.test_card_cli import drill, run
    from tests.test_promise import concept_deck

    deck = concept_deck(tmp_path / "deck", 2)
    drill(runner, deck, "--new", "2", ratings="33")  # both answers at the same frozen moment
    out = tmp_path / "two.apkg"
    exported = run(runner, "export", "--deck", str(deck), "--with-history", str(out))
    assert exported.exit_code == 0, exported.output
    back = runner.invoke(
        app,
        ["import", str(out), "--into", str(tmp_path / "back"), "--with-history"],
        env={"LOSSQUIZ_HOME": str(tmp_path / "fresh")},
    )
    assert back.exit_code == 0, back.output
    assert "history: 2 reviews replayed into 2 cards' schedules" in back.output, back.output


def test_card_info_marks_an_undone_cram_answer_undone(runner: CliRunner, tmp_path: Path) -> None:
    """N23-5: an undone cram answer read `Good (cram)` in `card info`, with no word it was undone."""
    from tests.test_card_cli import run
    from tests.test_promise import concept_deck

    deck = concept_deck(tmp_path / "deck", 2)
    run(runner, "drill", "--deck", str(deck), "--cram", "--new", "2", input="\n3\nu\nq\n")
    info = run(runner, "card", "info", "concept-00", "--deck", str(deck)).stdout
    assert "Good (cram, undone)" in info, info


def test_a_formula_verdict_leaves_room_for_the_next_card() -> None:
    """N23-4: at 80×24 huber-formula's whole answer fitted under its verdict, then the next card
    pushed `you wrote:` and `✗ wrong` off the screen; there the answer is the compact one."""
    from rich.console import Console

    from lossquiz.study.recall import FormulaVerdict
    from lossquiz.ui.drill_view import DrillScreen

    card = load_deck(builtin_deck()).by_id["huber-formula"]
    console = Console(width=80, height=24, force_terminal=True, record=True, color_system=None)
    screen = DrillScreen(console)
    screen.card(card, "12/16", 60)
    verdict = FormulaVerdict(right=False, wrote="r²/2", cases=21, reference="where(|r| ≤ δ, r²/2, δ·(|r| − δ/2))")
    screen.formula(verdict, card, 1, 4.0, None)
    rows = console.export_text().rstrip("\n").splitlines()
    verdict_row = next(k for k, row in enumerate(rows) if row.startswith("✗"))
    assert len(rows) - verdict_row + 12 <= 24, rows  # 12: the next card's header, question, problem, prompt


@pytest.mark.torch
def test_a_long_formula_verdict_keeps_itself_on_screen_before_the_answer() -> None:
    """N24-1: at 80×24 a wrong huber-gradient answer with a two-line sign hint and its compact answer
    pushed `✗ wrong` off once the next card was drawn; the answer is then one line saying where it is."""
    import random

    from rich.console import Console

    from lossquiz.study import recall
    from lossquiz.ui.drill_view import DrillScreen
    from lossquiz.worker.client import SnippetRunner

    deck = load_deck(builtin_deck())
    card = deck.by_id["huber-gradient"]
    typed = "clip(r, -delta, delta)/n"
    with SnippetRunner(trusted(builtin_deck()), timeout=30) as runner:
        verdict = recall.grade_formula(
            runner,
            deck.snippet_path(card),
            card,
            recall.read(card, typed),
            recall.seeds(random.Random(7)),  # type: ignore[arg-type]
        )
    assert not verdict.right and verdict.hint  # the sign hint, two lines at 80 columns
    console = Console(width=80, height=24, force_terminal=True, record=True, color_system=None)
    screen = DrillScreen(console)
    screen.card(card, "1/2", 60)
    screen.wrote(verdict.wrote)
    screen.formula(verdict, card, 1, 4.0, None)
    rows = console.export_text().rstrip("\n").splitlines()
    verdict_row = next(k for k, row in enumerate(rows) if row.startswith("✗"))
    assert len(rows) - verdict_row + 12 <= 24, rows  # 12: the next card's header, question, problem, prompt


def test_the_summary_of_a_drill_on_another_deck_names_that_deck(runner: CliRunner, tmp_path: Path) -> None:
    """N24-6: a `--deck mydeck` drill's summary said "(the whole deck: lossquiz due)", which reports
    the built-in deck."""
    from tests.test_card_cli import drill
    from tests.test_promise import concept_deck

    deck = concept_deck(tmp_path / "deck", 2)
    out = " ".join(drill(runner, deck, "--card", "concept-00", ratings="3").stdout.replace("│", " ").split())
    assert f"(the whole deck: lossquiz due --deck {deck})" in out, out
