"""The CLI end to end: list, show, check, help, errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from tests.conftest import write_snippet


def test_help_lists_commands(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("list", "show", "check"):
        assert command in result.stdout


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("lossquiz ")


def test_list_table_and_topic_filter(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["list", "--deck", str(deck_dir), "--topic", "classification"])
    assert result.exit_code == 0, result.output
    assert "logistic" in result.stdout and "square" not in result.stdout
    assert "\x1b[" not in result.stdout  # plain text when not a terminal


def test_list_json(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["list", "--deck", str(deck_dir), "--json"])
    cards = json.loads(result.stdout)
    assert [c["id"] for c in cards] == ["square", "absolute", "bias-variance", "logistic"]
    assert cards[0] == {
        "id": "square",
        "title": "Squared error",
        "aliases": ["sq"],
        "topic": "regression",
        "kind": "numeric",
        "snippet": "square",
        "source": "fixture",
    }


def test_list_unknown_topic_is_usage_error(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["list", "--deck", str(deck_dir), "--topic", "nope"])
    assert result.exit_code == 2
    assert "unknown topic 'nope'" in result.stderr


def test_show_near_miss_suggests_and_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "hubr"])
    assert result.exit_code == 2
    assert "did you mean 'huber'" in result.stderr
    assert result.stdout == ""


def test_show_no_run_renders_card(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "smooth-l1", "--no-run"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Huber loss" in out and "Key points" in out
    assert "½ r²" in out  # the formula as unicode, not LaTeX
    assert "def reference" in out  # the snippet source
    assert "worked example" not in out


def test_show_json_without_snippet(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["show", "bias-variance", "--deck", str(deck_dir), "--json"])
    data = json.loads(result.stdout)
    assert data["snippet"] is None and data["example"] is None


@pytest.mark.torch
def test_show_json_matches_design_schema(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["show", "huber", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    for key in (
        "id",
        "topic",
        "kind",
        "question",
        "answer",
        "key_points",
        "formula",
        "snippet",
        "example",
    ):
        assert key in data
    assert data["id"] == "huber" and data["kind"] == "numeric"
    assert data["snippet"]["name"] == "huber" and "def loss" in data["snippet"]["source"]
    example = data["example"]
    assert set(example) == {"inputs", "steps", "value", "reference", "agree"}
    assert example["inputs"] == {
        "y": [1.0, 2.0, 3.0, 4.0],
        "y_hat": [1.5, 2.0, 0.0, 4.2],
        "delta": 1.0,
    }
    assert [s["name"] for s in example["steps"]][:2] == ["residual", "abs_residual"]
    # 0.5*0.5^2 + 0 + (3 - 0.5) + 0.5*0.2^2 = 2.645, mean over 4
    assert example["value"] == pytest.approx(2.645 / 4)
    assert example["reference"] == {
        "how": "torch.nn.functional.huber_loss",
        "value": pytest.approx(2.645 / 4),
    }
    assert example["agree"] is True


@pytest.mark.torch
def test_show_rendered_runs_live(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["show", "huber", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "random problem (seed 3)" in result.stdout and "✓ agrees" in result.stdout


@pytest.mark.torch
def test_check_passes_on_fixture_deck(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["check", "--deck", str(deck_dir), "--json", "--problems", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert {s["snippet"]: s["cases"] for s in data["snippets"]} == {"square": 4, "absolute": 4}


@pytest.mark.torch
def test_check_disagreement_exits_4_naming_card_inputs_and_values(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    source = (deck_dir / "snippets" / "absolute.py").read_text()
    write_snippet(
        deck_dir,
        "absolute",
        source.replace("(y - y_hat).abs().mean()}", "(y - y_hat).abs().sum()}"),
    )
    result = runner.invoke(app, ["check", "--deck", str(deck_dir), "--problems", "2"])
    assert result.exit_code == 4, result.output
    assert "✗ absolute (cards: absolute): disagrees with its reference on the fixed example" in result.stdout
    assert "inputs: y = [1, 2], y_hat = [0, 4]" in result.stdout
    assert "value: 3" in result.stdout and "reference: 1.5" in result.stdout


@pytest.mark.torch
def test_check_selected_cards_only(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["check", "square", "--deck", str(deck_dir), "--json", "--problems", "1"])
    assert [s["snippet"] for s in json.loads(result.stdout)["snippets"]] == ["square"]


@pytest.mark.torch
def test_show_failing_snippet_is_one_line_exit_4(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    source = (deck_dir / "snippets" / "square.py").read_text()
    broken = source.replace("residual = y - y_hat", "residual = y - y_hat\n    raise ValueError('boom')")
    write_snippet(deck_dir, "square", broken)
    line = broken.splitlines().index("    raise ValueError('boom')") + 1
    result = runner.invoke(app, ["show", "square", "--deck", str(deck_dir)])
    assert result.exit_code == 4
    assert "Squared error" in result.stdout  # the card is still shown
    assert result.stderr.strip() == f"error: snippet 'square' failed: ValueError: boom (line {line})"
    assert "Traceback" not in result.stdout + result.stderr
