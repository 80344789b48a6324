"""The twelfth newcomer pass: `show --json` gives float32 numbers to the 6 significant digits
float32 keeps (the README's sample is real output), and `list` at 80 columns stays readable."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


# -- N12-9: no float32 noise in show --json ------------------------------------------------------


@pytest.mark.torch
def test_show_json_gives_float32_steps_without_noise_as_the_readme_shows(runner: CliRunner) -> None:
    """4 − 4.2 in float32 printed as -0.1999998 (the 7th digit is 4.2's rounding); the README's
    sample, and the text view, say -0.2."""
    result = runner.invoke(app, ["show", "huber", "--json"])
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    steps = {step["name"]: step["value"] for step in shown["example"]["steps"]}
    assert steps["residual"] == [-0.5, 0.0, 3.0, -0.2]
    assert steps["per_element"] == [0.125, 0.0, 2.5, 0.02]

    sample = README.split("`--json` follows this shape:\n\n", 1)[1].split("\n\n", 1)[0]
    documented = json.loads(textwrap.dedent(sample).replace(", ...]", "]"))  # the sample elides steps
    assert list(documented) == list(shown)
    assert list(documented["example"]) == list(shown["example"])
    for key in ("inputs", "value", "reference", "agree"):
        assert documented["example"][key] == shown["example"][key], key
    assert documented["example"]["steps"] == shown["example"]["steps"][:1]


# -- N12-12: list at 80 columns -------------------------------------------------------------------


def test_list_at_80_columns_gives_the_title_room_and_says_the_snippet_column_is_hidden(
    tmp_path: Path, runner: CliRunner
) -> None:
    """The id column stayed 33 wide (the longest id) while titles wrapped onto 3 lines in 20, and
    the snippet column went without a word. Now a long id stands on its own line above its row."""
    from tests.test_first_hour_display import _in_a_terminal

    lines = _in_a_terminal(["list", "--no-pager"], {"LOSSQUIZ_HOME": str(tmp_path / "data")}).splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert lines[-1] == "snippet column hidden at 80 columns; widen the terminal or use --json"
    header = lines[0]
    assert header.split() == ["id", "title", "topic", "kind"]
    assert header.index("topic") - header.index("title") >= 32  # a 30-cell title column and its gap
    at = lines.index(next(line for line in lines if line.startswith("gaussian-nll ")))
    assert " ".join(" ".join(lines[at : at + 2]).split()) == (
        "gaussian-nll Gaussian NLL (heteroscedastic regression numeric regression)"
    )  # two lines, not three
    rows = lines[1:-1]
    for card in load_deck(builtin_deck()).cards:  # every id whole, its topic and kind on its line or the next
        at = next(i for i, line in enumerate(rows) if line == card.id or line.startswith(f"{card.id} "))
        assert re.search(rf"\s{card.topic}\s+{card.kind}$", rows[at] + "\n" + rows[at + 1], re.M), card.id

    piped = runner.invoke(app, ["list"], env={"COLUMNS": "80"}).stdout  # a pipe: whole rows, every column
    assert "column hidden" not in piped and piped.splitlines()[0].split() == ["id", "title", "topic", "kind", "snippet"]
