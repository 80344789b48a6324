"""`show --plot`: curves computed by the snippets in the worker, drawn by plotext, no terminal needed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz import paths
from lossquiz.cli import app
from lossquiz.deck import trust
from lossquiz.deck.cards import load_deck
from lossquiz.paths import deck_dir as builtin_deck_dir
from lossquiz.study.plots import Plot, Series, card_plots, parse_plots, plot_cards
from lossquiz.ui import show_view
from lossquiz.worker.client import SnippetRunner
from tests.conftest import trust_deck, write_snippet

SQUARE = (Path(__file__).parent / "fixtures" / "decks" / "mini" / "snippets" / "square.py").read_text()
WITH_PLOT = (
    SQUARE
    + """

def plot():
    r = torch.linspace(-2.0, 2.0, 41)
    return {"title": "squares", "x_label": "r", "y_label": "loss",
            "series": [{"name": "r squared", "x": r.tolist(), "y": (r**2).tolist()},
                       {"name": "abs r", "x": r, "y": r.abs()}]}
"""
)

# The plots DESIGN/issue #6 asks for: card -> series names its picture must show.
REQUIRED = {
    "huber": ["MSE r^2", "MAE |r|", "Huber (delta=1)", "pinball (tau=0.9)"],
    "focal": ["CE (gamma=0)", "focal gamma=0.5", "focal gamma=1", "focal gamma=2", "focal gamma=5"],
    "hinge": ["0-1", "hinge max(0, 1 - m)", "logistic log2(1 + e^-m)"],
    "ppo": ["L^CLIP = min(rA, clip(r) A)", "unclipped rA", "A > 0", "A < 0"],
    "forward-vs-reverse-kl": ["p (mixture)", "forward KL(p||q) fit", "reverse KL(q||p) fit"],
    "l1-vs-l2": ["L1 prox (ISTA, soft-threshold)", "L2 prox (ridge shrink)", "L1 subgradient step"],
    "reinforce-baseline": ["no baseline (b = 0)", "baseline b = V", "exact gradient", "Var[g](b)"],
    "gan-generator-saturation": ["minimax log(1 - D): -D", "non-saturating -log D: D - 1"],
}


@pytest.mark.torch
@pytest.mark.parametrize("card", sorted(REQUIRED))
def test_required_plot_renders_without_a_terminal(runner: CliRunner, card: str) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["show", card, "--plot"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    for name in REQUIRED[card]:
        assert name in result.stdout, f"{name!r} missing from the {card} plot"
    assert "\x1b[" not in result.stdout  # not a terminal: plain text
    assert "┌" in result.stdout and "└" in result.stdout  # a plot frame was drawn


@pytest.mark.torch
def test_every_builtin_plot_is_valid_and_at_least_twelve_cards_have_one() -> None:
    pytest.importorskip("torch")
    deck = load_deck(builtin_deck_dir(None))
    with_plots = plot_cards(deck)
    assert len(with_plots) >= 12, [c.id for c in with_plots]
    seen: dict[str, list[Plot]] = {}
    with SnippetRunner(trust.gate(paths.builtin_deck(), paths.data_dir(None))) as runner:
        for card in with_plots:
            if card.snippet not in seen:
                seen[str(card.snippet)] = card_plots(deck, card, runner=runner)  # raises on bad data
    for name, plots in seen.items():
        for p in plots:
            assert p.title and p.x_label and p.y_label, name
            assert all(sum(v is not None for v in s.y) >= 2 for s in p.series), name


@pytest.mark.torch
def test_plot_json_emits_the_series_data(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["show", "focal", "--plot", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # one JSON document, nothing else
    assert data["id"] == "focal" and data["snippet"] == "focal"
    (plot,) = data["plots"]
    assert plot["x_label"].startswith("p_t")
    series = {s["name"]: s for s in plot["series"]}
    assert list(series) == REQUIRED["focal"]
    xs = series["focal gamma=2"]["x"]
    ys = series["focal gamma=2"]["y"]
    assert len(xs) == len(ys) > 50
    i = min(range(len(xs)), key=lambda k: abs(xs[k] - 0.5))
    assert ys[i] == pytest.approx((1 - xs[i]) ** 2 * -math.log(xs[i]), rel=1e-5)
    assert series["CE (gamma=0)"]["y"][-1] == pytest.approx(0.0, abs=1e-6)  # p_t = 1


@pytest.mark.torch
def test_show_json_is_unchanged_by_the_plot_feature(runner: CliRunner) -> None:
    pytest.importorskip("torch")
    result = runner.invoke(app, ["show", "huber", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert "plots" not in data
    assert data["example"]["agree"] is True and data["snippet"]["name"] == "huber"


def test_card_without_snippet_has_no_plot_one_line_exit_2(runner: CliRunner, deck_dir: Path) -> None:
    result = runner.invoke(app, ["show", "bias-variance", "--plot", "--deck", str(deck_dir)])
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == ["error: card 'bias-variance' has no plot (no snippet); cards with a plot: none in this deck"]


def test_snippet_without_plot_function_names_cards_that_have_one(runner: CliRunner, deck_dir: Path) -> None:
    write_snippet(deck_dir, "absolute", WITH_PLOT.replace("squares", "absolutes"))
    result = runner.invoke(app, ["show", "square", "--plot", "--deck", str(deck_dir)])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "error: card 'square' has no plot (snippet 'square' defines no plot()); cards with a plot: absolute"
    )


@pytest.mark.torch
def test_fixture_snippet_plot_renders_and_tensors_become_lists(runner: CliRunner, deck_dir: Path) -> None:
    pytest.importorskip("torch")
    write_snippet(deck_dir, "square", WITH_PLOT)
    trust_deck(deck_dir)  # show --plot runs code: only on a trusted deck
    result = runner.invoke(app, ["show", "sq", "--plot", "--deck", str(deck_dir), "--json"])
    assert result.exit_code == 0, result.output
    (plot,) = json.loads(result.stdout)["plots"]
    assert [s["name"] for s in plot["series"]] == ["r squared", "abs r"]
    assert plot["series"][1]["y"][0] == 2.0  # a tensor returned by plot() arrives as a list of floats
    drawn = runner.invoke(app, ["show", "sq", "--plot", "--deck", str(deck_dir)])
    assert drawn.exit_code == 0 and "squares" in drawn.stdout and "abs r" in drawn.stdout


@pytest.mark.torch
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def plot():\n    raise RuntimeError('boom')\n", "plot() failed: RuntimeError: boom (line"),
        ("def plot():\n    return {'title': 't'}\n", "plot() returned bad data: plot 1: 'x_label' must be a string"),
        (
            "def plot():\n    return {'title': 't', 'x_label': 'x', 'y_label': 'y',"
            " 'series': [{'name': 'a', 'x': [1, 2, 3], 'y': [1, 2]}]}\n",
            "'x' and 'y' must be lists of equal length",
        ),
    ],
)
def test_failing_plot_is_one_line_exit_4(runner: CliRunner, deck_dir: Path, body: str, message: str) -> None:
    pytest.importorskip("torch")
    write_snippet(deck_dir, "square", SQUARE + "\n\n" + body)
    trust_deck(deck_dir)  # show --plot runs code: only on a trusted deck
    result = runner.invoke(app, ["show", "square", "--plot", "--deck", str(deck_dir)])
    assert result.exit_code == 4
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: snippet 'square' ") and message in lines[0]


def test_plot_with_no_run_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(app, ["show", "huber", "--plot", "--no-run"])
    assert result.exit_code == 2
    assert "--plot" in result.stderr


def _plot() -> Plot:
    xs = tuple(float(i) for i in range(10))
    return Plot(
        "t",
        "x",
        "y",
        (Series("up", xs, tuple(xs)), Series("down", xs, tuple(9 - x for x in xs))),
    )


def test_render_colour_only_when_asked() -> None:
    plain = show_view.plot_text(_plot(), width=60, height=15, color=False)
    assert "\x1b[" not in plain and "up" in plain and "down" in plain
    coloured = show_view.plot_text(_plot(), width=60, height=15, color=True)
    assert "\x1b[" in coloured


@pytest.mark.torch
def test_no_color_is_respected_even_on_a_forced_terminal(
    runner: CliRunner, deck_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    write_snippet(deck_dir, "square", WITH_PLOT)
    trust_deck(deck_dir)  # show --plot runs code: only on a trusted deck
    monkeypatch.setenv("FORCE_COLOR", "1")  # Rich treats stdout as a terminal
    monkeypatch.delenv("NO_COLOR")
    coloured = runner.invoke(app, ["show", "sq", "--plot", "--deck", str(deck_dir)])
    assert coloured.exit_code == 0 and "\x1b[" in coloured.stdout
    monkeypatch.setenv("NO_COLOR", "1")
    plain = runner.invoke(app, ["show", "sq", "--plot", "--deck", str(deck_dir)])
    assert plain.exit_code == 0 and "\x1b[3" not in plain.stdout  # no colour codes
    assert "r squared" in plain.stdout


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "non-empty list"),
        ([{"title": "t", "x_label": "x", "y_label": "y", "series": []}], "1 to 8 curves"),
        (
            [{"title": "t", "x_label": "x", "y_label": "y", "series": [{"name": "a", "x": [0, 1], "y": [None, None]}]}],
            "no finite value",
        ),
        (
            [
                {
                    "title": "t",
                    "x_label": "x",
                    "y_label": "y",
                    "y_lim": [1, 0],
                    "series": [{"name": "a", "x": [0, 1], "y": [0, 1]}],
                }
            ],
            "'y_lim' must be [low, high]",
        ),
    ],
)
def test_parse_plots_rejects_bad_shapes(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        parse_plots(data)


def test_parse_plots_keeps_gaps() -> None:
    data = [
        {"title": "t", "x_label": "x", "y_label": "y", "series": [{"name": "a", "x": [0, 1, 2], "y": [0, None, 2]}]}
    ]
    (plot,) = parse_plots(data)
    assert plot.series[0].y == (0.0, None, 2.0)
    assert "a" in show_view.plot_text(plot, width=40, height=10, color=False)
