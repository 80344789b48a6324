"""A newcomer's first hour: cloze fills that differ from the gap only by a hyphen count, a session
the daily new-card limit cuts short says so, and the lows of the same pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from tests.test_card_cli import T0, drill, run
from tests.test_interop_formats import _cards
from tests.test_promise import concept_deck

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


def _imported(runner: CliRunner, tmp_path: Path, text: str) -> list[dict[str, Any]]:
    """Notes `text` imported as the deck tmp_path/d: its cards."""
    notes = tmp_path / "notes.md"
    notes.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["import", str(notes), "--into", str(tmp_path / "d")])
    assert result.exit_code == 0, result.output
    return _cards(tmp_path / "d")


def _gap_deck(runner: CliRunner, tmp_path: Path, text: str = HYPHEN_NOTES) -> dict[str, str]:
    """Cloze notes imported as a deck: each card's id by its gap."""
    return {card["key_points"][0]: card["id"] for card in _imported(runner, tmp_path, text)}


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


# -- M2: a session the daily new-card limit cuts short says so before its first card ------------


def test_a_session_the_daily_limit_cuts_short_says_why_first(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 30)
    drill(runner, deck, "--cards", "7", ratings="4" * 7)  # 7 of the day's 10 new cards, Easy: not due again today
    out = drill(runner, deck, "-n", "15", ratings="4" * 3, at=T0 + timedelta(minutes=5)).stdout
    assert out.count("recorded Easy") == 3  # the 3 new cards the limit leaves
    text = " ".join(out.split())  # the line wraps at the terminal's width
    line = (
        "3 cards, not 15: the daily new-card limit leaves 3 new cards today (new_per_day 10, 7 introduced). "
        "lossquiz drill --new 15 introduces more now; raising new_per_day (the config file or LOSSQUIZ_NEW_PER_DAY: "
        "lossquiz config shows which sets it) raises the limit."  # N19-6: it may come from the environment
    )
    assert line in text, text
    assert text.index("3 cards, not 15") < text.index("1/3 "), text  # before the first card
    # ... and the end says the limit is now reached, as before
    assert "daily new-card limit reached: 10 new cards introduced today, limit 10 (new_per_day)" in text
    # what it names is what `lossquiz config` calls the setting, and --new does introduce them
    assert "new_per_day" in run(runner, "config").stdout
    more = drill(runner, deck, "-n", "15", "--new", "15", ratings="4" * 15, at=T0 + timedelta(minutes=10)).stdout
    assert more.count("recorded Easy") == 15 and "cards, not" not in more


def test_a_session_not_cut_by_the_daily_limit_says_nothing_of_it(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 30)
    out = drill(runner, deck, "-n", "5", ratings="4" * 5).stdout  # --cards, not the limit, is the bound
    assert out.count("recorded Easy") == 5 and "cards, not" not in out and "limit" not in out
    crammed = drill(runner, deck, "--cram", "-n", "15", ratings="4" * 10, at=T0 + timedelta(minutes=5)).stdout
    assert "cards, not" not in crammed
    few = concept_deck(tmp_path / "few", 3)  # every unseen card fits: nothing held back
    assert "cards, not" not in drill(runner, few, "-n", "15", ratings="444").stdout


# -- low 1: a self-rated reveal shows what was typed above the answer ----------------------------


def test_a_self_rated_reveal_echoes_what_was_typed(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 2)
    typed = run(runner, "drill", "--deck", str(deck), "-n", "1", "--time-limit", "0", input="concept seven-ish\n3\n")
    out = typed.stdout
    assert "you wrote: concept seven-ish" in out, out
    assert out.index("you wrote:") < out.index("It is concept") < out.index("recorded Good"), out
    revealed = run(runner, "drill", "--deck", str(deck), "-n", "1", "--time-limit", "0", input="\n3\n").stdout
    assert "It is concept" in revealed and "you wrote" not in revealed  # Enter alone: nothing to echo


# -- low 2: export's usage error names every format and suffix it accepts -----------------------


def test_export_names_every_suffix_it_accepts_and_each_one_works(runner: CliRunner, tmp_path: Path) -> None:
    import re

    result = runner.invoke(app, ["export", str(tmp_path / "cards.xyz")])
    assert result.exit_code == 2, result.output
    message = " ".join(result.stderr.replace("│", " ").split())
    assert "*.tsv" in message, message
    suffixes = re.findall(r"\*(\.\w+)", message)
    formats = re.search(r"say --format ([\w, ]+?) \(", message)
    assert formats is not None and suffixes, message
    for suffix in suffixes:  # every suffix named is one export reads
        out = tmp_path / f"cards{suffix}"
        done = runner.invoke(app, ["export", str(out), "--no-run"])
        assert done.exit_code == 0 and out.stat().st_size > 0, (suffix, done.output)
    for name in re.split(r", | or ", formats[1]):  # and every --format named is one it takes
        out = tmp_path / f"by-format-{name}"
        done = runner.invoke(app, ["export", "--format", name, str(out), "--no-run"])
        assert done.exit_code == 0 and out.stat().st_size > 0, (name, done.output)


# -- low 3: a percent in a number gap is a hundredth --------------------------------------------

NUMBER_NOTES = (
    "# Regularization\n\n"
    "A common label smoothing is ==0.1== of the mass.\n\n"
    "Dropout often drops ==10%== of the units.\n\n"
    "Warm-up often lasts ==10== epochs.\n"
)


@pytest.mark.parametrize(
    ("gap", "typed", "right"),
    [
        ("0.1", "10%", True),
        ("0.1", "1e-1", True),
        ("0.1", "1/10", True),
        ("0.1", "10", False),
        ("10%", "0.1", True),
        ("10%", "10", True),  # the % left off a percent gap
        ("10%", "0.01", False),
        ("10%", "1%", False),
        ("10", "10%", False),  # 10% is 0.1, not 10
        ("10", "10.0", True),
    ],
)
def test_a_percent_fills_a_number_gap_as_the_hundredth_it_is(
    runner: CliRunner, tmp_path: Path, gap: str, typed: str, right: bool
) -> None:
    ids = _gap_deck(runner, tmp_path, NUMBER_NOTES)
    output = _fill(runner, tmp_path, ids[gap], typed)
    assert ("✓ right" in output) is right and (f"✗ the gap is: {gap}" in output) is not right, output


# -- low 4: a misspelt function or name in a typed formula gets a "did you mean" -----------------


@pytest.mark.parametrize(
    ("typed", "guess"),
    [("-log(softmaxx(z))", "softmax"), ("sigmoid_(z)", "sigmoid"), ("Log_Softmax(z)", "log_softmax")],
)
def test_show_answer_with_a_misspelt_function_suggests_the_close_one(runner: CliRunner, typed: str, guess: str) -> None:
    result = runner.invoke(app, ["show", "ce-logits-formula", "--answer", typed])
    assert result.exit_code == 2, result.output
    [line] = result.stderr.strip().splitlines()  # one line, no traceback
    assert f"(did you mean {guess}?)" in line and line.startswith("error: --answer: unknown function"), line


def test_a_far_off_function_gets_no_guess_and_a_misspelt_variable_does(runner: CliRunner) -> None:
    far = runner.invoke(app, ["show", "ce-logits-formula", "--answer", "foo(z)"])
    assert far.exit_code == 2 and "unknown function 'foo' —" in far.stderr and "did you mean" not in far.stderr
    name = runner.invoke(app, ["show", "huber-formula", "--answer", "0.5*r^2 + detla"])
    assert name.exit_code == 2 and "unknown name 'detla' (did you mean delta?)" in name.stderr, name.stderr


def test_a_drilled_formula_with_a_misspelt_function_suggests_and_asks_again(runner: CliRunner) -> None:
    args = ["drill", "--card", "bce-logits-formula", "--time-limit", "0"]
    result = runner.invoke(app, args, input="sigmoid_(z) - y\nq\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "unknown function 'sigmoid_' (did you mean sigmoid?)" in text and "try again (nothing recorded)" in text


# -- low 5: a minus sign from LaTeX renders as −, as the deck's prose writes it ------------------


def test_a_key_point_from_latex_shows_a_minus_sign_not_a_hyphen(runner: CliRunner, tmp_path: Path) -> None:
    text = (
        "#### Q: What is the NLL of the true class?\n\n"
        "- $-\\log p_y$ for the true class $y$\n"
        "- the same as $\\text{log-sum-exp}(z) - z_y$ from logits\n"
    )
    [card] = _imported(runner, tmp_path, text)
    assert card["key_points"] == ["−log p_y for the true class y", "the same as log-sum-exp(z) − z_y from logits"]
    shown = runner.invoke(app, ["show", card["id"], "--deck", str(tmp_path / "d"), "--no-run"])
    assert shown.exit_code == 0, shown.output
    assert "−log p_y" in shown.stdout and "-log" not in shown.stdout  # the hyphen of log-sum-exp (text) stays
    assert "log-sum-exp(z) − z_y" in shown.stdout


def test_the_built_in_decks_formulas_show_minus_signs(runner: CliRunner) -> None:
    shown = runner.invoke(app, ["show", "log-cosh", "--no-run"])
    assert shown.exit_code == 0, shown.output
    formula = shown.stdout[shown.stdout.index("╭─ formula") : shown.stdout.index("╯")]
    assert "−log 2" in formula and "(−2|r|)" in formula and "-" not in formula, formula


# -- low 6: an operator name is spaced from its argument ----------------------------------------


def test_show_log_cosh_spaces_cosh_from_its_argument(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    shown = runner.invoke(app, ["show", "log-cosh", "--no-run"])
    assert shown.exit_code == 0, shown.output
    assert "log cosh r=|r|" in shown.stdout and "coshr" not in shown.stdout, shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80


def test_other_operator_names_are_spaced_from_their_argument(runner: CliRunner, tmp_path: Path) -> None:
    text = "#### Q: Which identities hold?\n\n- $\\sinh x + \\tan\\theta$ and $\\ln x$ here\n- $\\beta\\cosh r$ there\n"
    [card] = _imported(runner, tmp_path, text)
    assert card["key_points"] == ["sinh x + tan θ and ln x here", "β cosh r there"]
