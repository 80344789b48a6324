"""The fourteenth newcomer pass (N14-1, N14-10): the worked example's reference text is wrapped,
never cut with …, in a pipe as in a terminal; `✓ agrees` stays on one line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app

CARDS = ["reward-model-bt", "rlhf-pipeline", "grpo-advantage-formula", "dpo-formula", "focal"]


@pytest.mark.torch
@pytest.mark.parametrize("card_id", CARDS)
def test_a_piped_show_has_the_whole_reference_text(runner: CliRunner, card_id: str) -> None:
    data = json.loads(runner.invoke(app, ["show", card_id, "--json"]).output)
    how = data["example"]["reference"]["how"]
    out = runner.invoke(app, ["show", card_id], env={"COLUMNS": "80"}).output
    assert "…" not in out.split("reference", 1)[-1].split("╰", 1)[0], out
    # the reference row's lines, joined without the panel's borders and indent
    rows = [line.strip("│ ") for line in out.splitlines() if line.startswith("│")]
    start = next(i for i, row in enumerate(rows) if row.startswith("reference"))
    joined = "".join(row.removeprefix("reference").strip() for row in rows[start:])
    assert how.replace(" ", "") in joined.replace(" ", ""), out
    assert any("✓ agrees" in row for row in rows[start:]), out


@pytest.mark.torch
@pytest.mark.parametrize("columns", [80, 100, 120, 140])
def test_agrees_is_never_split_across_lines(runner: CliRunner, columns: int) -> None:
    for card_id in CARDS:
        out = runner.invoke(app, ["show", card_id], env={"COLUMNS": str(columns)}).output
        assert "✓ agrees" in out, (columns, out)
