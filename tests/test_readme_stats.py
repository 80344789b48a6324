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
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck
from lossquiz.study.plots import plot_cards

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
    assert re.fullmatch(r"logistic +0 +1 +seen today", shown[1]), shown  # FSRS's 100% on a review's day
    assert documented[-3] == "drill one now: lossquiz drill --card huber"
    assert shown[2] == "drill one now: lossquiz drill --card logistic"
    assert documented[-2:] == shown[3:5]  # the note on why a card seen today is not shown at 100%
    assert "hidden until some card has been forgotten" not in README

    data = json.loads(runner.invoke(app, ["stats", "--deck", str(deck_dir), "--json"]).stdout)
    example = README.split('"weakest": [{', 1)[1].split("}]", 1)[0]
    assert re.findall(r'"(\w+)":', example) == list(data["weakest"][0])


def _paragraph(start: str) -> str:
    return README.split(start, 1)[1].split("\n\n", 1)[0]


def test_the_readme_counts_the_cards_with_a_plot_as_the_tool_does(runner: CliRunner) -> None:
    """Twelfth newcomer pass N12-4: the README said 23 cards have a plot; `show CARD --plot` on a
    card without one listed 88. The count, and the number of distinct plots, come from the deck."""
    refused = runner.invoke(app, ["show", "vicreg", "--plot"])
    assert refused.exit_code == 2, refused.output
    with_plot = [c.id for c in plot_cards(load_deck(builtin_deck()))]
    assert f" {len(with_plot)} cards have one;" in refused.output, refused.output
    listed = json.loads(runner.invoke(app, ["list", "--json"]).stdout)
    plots = {card["snippet"] for card in listed if card["id"] in with_plot}
    documented = re.search(r"There are (\d+) cards with a plot,.*?there are (\d+) plots:", README, re.S)
    assert documented, "the README's sentence counting the cards with a plot"
    assert (int(documented[1]), int(documented[2])) == (len(with_plot), len(plots))


def test_the_readme_lists_the_practicable_cards_as_code_list_does(runner: CliRunner) -> None:
    """N12-4: the README's "Practicable cards (28)" named 28; `code list` has 33 rows. The README
    names them by id, in the order `code list` shows them."""
    rows = json.loads(runner.invoke(app, ["code", "list", "--json"]).stdout)
    paragraph = _paragraph("**Practicable cards (")
    assert paragraph.startswith(f"{len(rows)}):**"), paragraph[:20]
    assert re.findall(r"`([a-z0-9-]+)`", paragraph) == [row["id"] for row in rows]
