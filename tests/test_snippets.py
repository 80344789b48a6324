"""The snippet worker: isolation, time limit, and one-line failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from lossquiz import paths
from lossquiz.deck import trust
from lossquiz.worker.client import SnippetRunner
from tests.conftest import trust_deck, write_snippet

pytestmark = pytest.mark.torch
torch = pytest.importorskip("torch")

HEADER = """
import random, sys, os, time
import torch
REFERENCE = "closed form"
def example(): return {"x": torch.tensor([1.0, 2.0])}
def problem(rng): return {"x": torch.tensor([float(rng.randint(1, 5))])}
def reference(x): return x.sum()
"""


def _runner(deck: Path) -> SnippetRunner:
    """A runner for the deck's code as it is now (trusted, through the gate)."""
    trust_deck(deck)
    return SnippetRunner(trust.gate(deck, paths.data_dir(None)), timeout=3.0)


def test_runs_example_and_random_problem(deck_dir: Path) -> None:
    with _runner(deck_dir) as runner:
        example = runner.run(deck_dir / "snippets" / "square.py").data
        problem = runner.run(deck_dir / "snippets" / "square.py", seed=7).data
    assert example is not None and problem is not None
    assert example["value"] == pytest.approx(2.5) and example["agree"]
    assert example["steps"] == [{"name": "residual", "value": [1.0, -2.0]}]
    assert problem["seed"] == 7 and problem["agree"]


def test_hanging_snippet_is_stopped_and_worker_recovers(deck_dir: Path) -> None:
    hang = write_snippet(deck_dir, "hang", HEADER + "def loss(x):\n    time.sleep(60)\n")
    with _runner(deck_dir) as runner:
        outcome = runner.run(hang)
        assert outcome.error == "timed out after 3 s (stopped)"
        assert runner.run(deck_dir / "snippets" / "square.py").data is not None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("def loss(x):\n    raise ValueError('bad input')\n", "ValueError: bad input (line 9)"),
        ("def loss(x):\n    sys.exit(3)\n", "snippet called sys.exit(3)"),
        ("def loss(x):\n    os._exit(0)\n", "the snippet process exited before answering"),
        (
            "def loss(x):\n    return x.sum()\n",
            "TypeError: loss() must return a dict of named steps ending in 'value'",
        ),
        ("def loss(x:\n", "SyntaxError: "),
    ],
)
def test_failures_are_one_line(deck_dir: Path, body: str, message: str) -> None:
    bad = write_snippet(deck_dir, "bad", HEADER + body)
    with _runner(deck_dir) as runner:
        outcome = runner.run(bad)
        assert outcome.data is None
        assert outcome.error is not None and outcome.error.startswith(message), outcome.error
        assert runner.run(deck_dir / "snippets" / "square.py").data is not None


def test_snippet_prints_do_not_corrupt_protocol(deck_dir: Path) -> None:
    noisy = write_snippet(
        deck_dir,
        "noisy",
        HEADER + "def loss(x):\n    print('hello')\n    return {'value': x.sum()}\n",
    )
    with _runner(deck_dir) as runner:
        data = runner.run(noisy).data
    assert data is not None and data["value"] == 3.0 and data["agree"]


def test_disagreement_is_reported_not_raised(deck_dir: Path) -> None:
    off = write_snippet(deck_dir, "off", HEADER + "def loss(x):\n    return {'value': x.sum() + 1e-2}\n")
    with _runner(deck_dir) as runner:
        data = runner.run(off).data
    assert data is not None and data["agree"] is False


def test_dict_values_compare_part_by_part(deck_dir: Path) -> None:
    body = HEADER.replace("return x.sum()", "return {'a': x.sum(), 'b': x.max()}") + (
        "def loss(x):\n    return {'value': {'a': x.sum(), 'b': x.min()}}\n"
    )
    parts = write_snippet(deck_dir, "parts", body)
    with _runner(deck_dir) as runner:
        data = runner.run(parts).data
    assert data is not None and data["value"] == {"a": 3.0, "b": 1.0} and data["agree"] is False
