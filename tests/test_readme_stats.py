"""Eleventh newcomer pass F12: the README's `stats` example must be what `stats` prints. It showed
a `card lapses recall now drill it` table with a command per row, and said the section is hidden
until a card is forgotten; it appears after a same-day Again (no lapse), with a `failed (7d)`
column and one `drill one now:` line."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from lossquiz.cli import app

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_readme_shows_the_weakest_cards_as_stats_prints_them(runner: CliRunner, deck_dir: Path) -> None:
    keys = "\n1\n\n3\n"  # logistic: Again (a new card: no lapse), then Good when it comes back
    drilled = runner.invoke(app, ["drill", "--deck", str(deck_dir), "--card", "logistic"], input=keys)
    assert drilled.exit_code == 0, drilled.output
    printed = runner.invoke(app, ["stats", "--deck", str(deck_dir)], env={"COLUMNS": "80"}).stdout
    shown = printed.split("weakest cards\n", 1)[1].splitlines()
    documented = README.split("weakest cards\n", 1)[1].split("```", 1)[0].splitlines()
    columns = ["card", "lapses", "failed (7d)", "recall now"]  # the card column is as wide as the longest id
    assert re.split(r"\s{2,}", documented[0]) == re.split(r"\s{2,}", shown[0]) == columns
    assert re.fullmatch(r"logistic +0 +1 +\d+%", shown[1]), shown
    assert documented[-1] == "drill one now: lossquiz drill --card huber"
    assert shown[2] == "drill one now: lossquiz drill --card logistic"
    assert "hidden until some card has been forgotten" not in README

    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    example = README.split('"weakest": [{', 1)[1].split("}]", 1)[0]
    assert re.findall(r'"(\w+)":', example) == list(data["weakest"][0])
