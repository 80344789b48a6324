"""Issue 17's low items (a newcomer at 80x24): formulas that keep their columns, hanging indents,
`list` whole in a pipe and paged in a terminal, skipped cards and the filter in the drill summary,
"did you mean" for topics and practice tasks."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest import MonkeyPatch
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.deck.latex import to_unicode
from tests.test_card_cli import drill, run

# -- 1: a cases brace keeps its columns ---------------------------------------------------------


def _condition_columns(text: str, conditions: list[str]) -> list[int]:
    """The screen column each row's condition starts at (combining accents take no column)."""
    import unicodedata

    columns = []
    for line, condition in zip(text.splitlines(), conditions, strict=True):
        before = line[: line.index(condition)]
        columns.append(sum(not unicodedata.combining(ch) for ch in before))
    return columns


def test_the_conditions_of_a_cases_brace_start_in_one_column() -> None:
    huber = to_unicode(
        r"L_\delta(r)=\begin{cases}\tfrac12 r^2 & |r|\le\delta\\ "
        r"\delta(|r|-\tfrac12\delta) & \text{otherwise}\end{cases}"
    )
    assert len(set(_condition_columns(huber, ["|r|≤δ", "otherwise"]))) == 1, huber
    focal = to_unicode(r"p_t=\begin{cases} p & y=1\\ 1-p & y=0\end{cases}")
    assert len(set(_condition_columns(focal, ["y=1", "y=0"]))) == 1, focal
    assert "\u2007" not in huber + focal  # the padding is plain spaces by then


def test_a_combining_accent_does_not_push_the_brace_out_of_line() -> None:
    text = to_unicode(r"\hat x=\begin{cases} \hat a & u\\ b & v\end{cases}")
    first, second = text.splitlines()
    assert "\u0302" in first  # x̂ and â are two code points each: one column each on screen
    assert _condition_columns(text, ["u", "v"])[0] == _condition_columns(text, ["u", "v"])[1], text
    width = len(first[: first.index("⎧")]) - first[: first.index("⎧")].count("\u0302")
    assert second.index("⎩") == width, text


@pytest.mark.torch
def test_a_formula_drill_draws_the_brace_and_the_reference_in_line_at_80_columns(tmp_path: Path) -> None:
    env = {**os.environ, "LOSSQUIZ_HOME": str(tmp_path / "data"), "COLUMNS": "80", "NO_COLOR": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "lossquiz", "drill", "--card", "huber-formula", "--card", "focal-formula"]
        + ["--seed", "1", "--time-limit", "0"],
        input="r^2\nz^2\nq\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # huber-formula: "L_δ(r)=⎧ ½ r² …" (in its box: a pipe gets the whole answer) and the ⎩ row
    # right under the ⎧, conditions in one column
    top = next(k for k, line in enumerate(lines) if "L_δ(r)=" in line and "⎧" in line)
    assert lines[top + 1].index("⎩") == lines[top].index("⎧"), lines[top : top + 2]
    assert lines[top].index("|r|≤δ") == lines[top + 1].index("otherwise"), lines[top : top + 2]
    # focal-formula: its 95-character reference wraps with a hanging indent, under the expression
    ref = next(k for k, line in enumerate(lines) if line.startswith("reference: −(α·y"))
    assert len(lines[ref]) <= 80 and lines[ref + 1].startswith(" " * len("reference: ") + "σ(z)"), lines[ref : ref + 2]


# -- 2: a wrapped key point hangs under its text -----------------------------------------------

LOWS = Path(__file__).parent / "fixtures" / "decks" / "lows"
LONG_POINT = "the gradient of the squared error grows with the residual, so a single far outlier dominates the mean"


def _key_point_lines(out: str) -> list[str]:
    block = out.split("Key points\n", 1)[1].splitlines()
    return block[:3]  # the long point (two lines at 80 columns), then the short one


def test_piped_show_hangs_a_wrapped_key_point_under_its_text(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run(runner, "show", "robust-regression", "--deck", str(LOWS)).stdout
    first, second, third = _key_point_lines(out)
    assert first.startswith("  • the gradient") and len(first) <= 80
    assert second.startswith("    ") and second.strip() and not second.strip().startswith("•"), second
    assert " ".join([first[4:], second.strip()]) == LONG_POINT
    assert third == "  • bounded gradient"
    assert "pulls less." in " ".join(out.split()) and "*" not in out  # *emphasis* is not a raw mark in a pipe


def test_the_drill_reveal_piped_hangs_a_wrapped_key_point_too(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = drill(runner, LOWS, "--card", "robust-regression", ratings="3").stdout
    first, second, third = _key_point_lines(out)
    assert first.startswith("  • the gradient") and second.startswith("    outlier"), (first, second)
    assert third == "  • bounded gradient"


# -- 3: list, whole in a pipe and paged in a terminal ------------------------------------------


def test_piped_list_prints_whole_lines_past_80_columns(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LOSSQUIZ_PAGER", "false")  # a pipe never pages, whatever the pager
    lines = run(runner, "list").stdout.splitlines()
    assert max(len(line) for line in lines) > 80 and "…" not in "".join(lines)
    assert any(line.startswith("mse-mae-huber") and line.rstrip().endswith("huber") for line in lines)


def test_list_taller_than_the_terminal_pages_as_show_does(tmp_path: Path) -> None:
    from tests.test_first_hour_display import _in_a_terminal

    paged = tmp_path / "paged.txt"
    env = {"LOSSQUIZ_HOME": str(tmp_path / "data"), "LOSSQUIZ_PAGER": f"sh -c 'cat > {paged}'"}
    screen = _in_a_terminal(["list"], env)  # the whole deck: far more than 24 rows
    assert "mse-mae-huber" not in screen and paged.exists()
    text = re.sub(r"\x1b\[[0-9;]*m", "", paged.read_text())  # the pager gets the styles (less -R shows them)
    assert text.splitlines()[0].startswith("id ") and "mse-mae-huber" in text
    paged.unlink()
    assert "mse-mae-huber" in _in_a_terminal(["list", "--no-pager"], env) and not paged.exists()
    short = _in_a_terminal(["list", "--deck", str(LOWS)], env)  # 4 rows fit the screen: no pager
    assert "robust-regression" in short and not paged.exists()


# -- 4 and 6: the drill summary counts skipped cards and says what its due counts are for ------


def _summary_rows(out: str) -> dict[str, str]:
    box = out.split("session summary", 1)[1]
    rows = {}
    for line in box.splitlines()[1:-1]:
        label, _, value = line.strip("│ ").partition("  ")
        rows[label.strip()] = value.strip()
    return rows


def test_the_summary_counts_the_cards_skipped(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    keys = "s\n" + "\n3\n" + "s\n"  # skip, answer, skip: 3 cards, 1 recorded
    out = run(runner, "drill", "--deck", str(LOWS), "--time-limit", "0", input=keys).stdout
    rows = _summary_rows(out)
    assert rows["cards answered"] == "1" and rows["cards skipped"] == "2 (nothing recorded)", rows
    assert "due counts" not in rows  # the whole deck: nothing to qualify
    answered = run(runner, "drill", "--deck", str(LOWS), "--time-limit", "0", "--new", "1", input="\n3\n").stdout
    assert "cards skipped" not in answered  # no skip, no row


@pytest.mark.parametrize(
    ("args", "scope"),
    [(["--topic", "Regression"], "--topic regression"), (["--card", "calibration"], "--card calibration")],
)
def test_the_due_counts_of_a_filtered_drill_say_they_are_for_the_filter(
    runner: CliRunner, monkeypatch: MonkeyPatch, args: list[str], scope: str
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    out = run(runner, "drill", "--deck", str(LOWS), "--time-limit", "0", *args, input="\n1\nq\n").stdout
    rows = _summary_rows(out)
    assert rows["due counts"].startswith(f"for {scope} only (the whole deck: lossquiz due --deck"), rows
    flat = " ".join(out.replace("│", " ").split())  # the deck's path wraps inside the box
    assert f"(the whole deck: lossquiz due --deck {LOWS})" in flat, flat  # N24-6: not the built-in deck's
    # and they are: an Again is due in a minute, the one card of the filter (not the deck's three)
    assert rows["due today"] == "1", rows


# -- 5: "did you mean" for a topic, a kind and a practice task ---------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["list", "--topic", "Regresion"], "unknown topic 'regresion'; did you mean 'regression'?"),
        (["drill", "--topic", "regresion"], "unknown topic 'regresion'; did you mean 'regression'?"),
        (["list", "--kind", "numerc"], "unknown kind 'numerc'; did you mean 'numeric'?"),
        (["code", "start", "hubr"], "no card matches 'hubr'; did you mean 'huber'?"),
        # focal-formula is a near miss too, but it has no task: only practicable cards are suggested
        (["code", "check", "focall"], "no card matches 'focall'; did you mean 'focal'?"),
    ],
)
def test_a_mistyped_name_suggests_the_right_one_and_exits_2(
    runner: CliRunner, args: list[str], message: str, env: Path
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == f"error: {message}"
    assert not (env / "practice").exists()  # a typo writes no practice file


def test_a_topic_with_no_near_miss_still_lists_them_all(runner: CliRunner) -> None:
    result = runner.invoke(app, ["list", "--topic", "zzz"])
    assert result.exit_code == 2 and "(one of: regression, classification," in result.stderr


# -- 7: what follows a cases brace starts its own line without a stray comma ------------------


def test_the_formula_after_a_cases_brace_does_not_start_with_a_comma() -> None:
    text = to_unicode(r"v=\begin{cases} a & y=1\\ b & y=0\end{cases}, \mathcal{L}=\mathbb{E}[v]")
    assert text.splitlines()[-1] == "ℒ=𝔼[v]", text


def test_a_pager_that_cannot_run_prints_the_text_and_says_so(tmp_path: Path) -> None:
    """N20-8: `LOSSQUIZ_PAGER=nosuchpager lossquiz show huber` printed the text with no word why."""
    from tests.test_first_hour_display import _in_a_terminal

    env = {"LOSSQUIZ_HOME": str(tmp_path / "data"), "LOSSQUIZ_PAGER": "nosuchpager-lossquiz"}
    screen = _in_a_terminal(["list"], env)
    assert "mse-mae-huber" in screen  # printed whole
    assert "note: the pager 'nosuchpager-lossquiz' could not run ($LOSSQUIZ_PAGER, else $PAGER)" in screen, screen[
        -300:
    ]
