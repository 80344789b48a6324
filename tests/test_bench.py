"""`make bench` runs end to end (quick mode), and `check`'s worker pool gives the same verdicts as one worker.

No timing is asserted: the bench's figures depend on the machine; these tests prove it measures
every version-2 budget and says whether each holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lossquiz.deck.cards import load_deck
from lossquiz.study import verify
from lossquiz.worker.client import SnippetRunner
from tests.conftest import trusted, write_snippet

pytestmark = pytest.mark.torch
pytest.importorskip("torch")

BUDGET_ROWS = (
    "lossquiz --help",
    "lossquiz list",
    "lossquiz due",
    "lossquiz show huber --no-run",
    "lossquiz stats (empty history)",
    "lossquiz stats (10,000 reviews)",
    "drill: launch → first question (pty)",
    "drill: Enter → reveal with live numbers (pty)",
    "slowest snippet: example + 20 problems",
    "lossquiz check huber (quick mode)",
    "deck load: 1,000 cards, cold, no parse cache",
    "deck load: 1,000 cards, warm",
)


def test_bench_quick_mode_prints_a_verdict_for_every_budget(tmp_path: Path) -> None:
    env = {**os.environ, "BENCH_QUICK": "1", "BENCH_REPEAT": "1", "LOSSQUIZ_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "lossquiz.bench"], capture_output=True, text=True, env=env, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("machine: ") and "cores" in lines[0]
    for name in BUDGET_ROWS:
        row = next((line for line in lines if line.startswith(name)), None)
        assert row is not None, f"no row {name!r} in:\n{done.stdout}"
        assert "holds" in row or "MISSED" in row or "not available:" in row, row
    assert any(line.startswith("growth: lossquiz stats (1,000 reviews)") for line in lines)
    assert any("× " in line and "floor" in line for line in lines)  # start-up rows are ratios
    assert "budgets missed:" in done.stdout or "every measured budget holds" in done.stdout


def test_check_with_a_pool_of_workers_matches_one_worker_in_curriculum_order(deck_dir: Path) -> None:
    """Two workers share the snippets; the reports (and a disagreement) are the same as with one."""
    body = (deck_dir / "snippets" / "square.py").read_text()
    write_snippet(
        deck_dir,
        "square",
        body.replace("def reference(", "def reference_ok(", 1) + "\n\ndef reference(**kw):\n    return 12345.0\n",
    )
    deck = load_deck(deck_dir)
    cards = list(deck.cards)
    gated = trusted(deck_dir)
    with SnippetRunner(gated) as one:
        alone = verify.check_snippets(deck, cards, one, problems=3)
    with SnippetRunner(gated) as a, SnippetRunner(gated) as b:
        pooled = verify.check_snippets(deck, cards, [a, b], problems=3)
    assert [(r.snippet, r.ok, r.problem) for r in pooled] == [(r.snippet, r.ok, r.problem) for r in alone]
    assert [r.snippet for r in pooled] == list(dict.fromkeys(c.snippet for c in cards if c.snippet))
    assert any(not r.ok and r.snippet == "square" for r in pooled) and any(r.ok for r in pooled)


def test_pool_size_is_bounded_by_cores_and_snippets(deck_dir: Path) -> None:
    deck = load_deck(deck_dir)
    snippets = len({c.snippet for c in deck.cards if c.snippet})
    size = verify.pool_size(list(deck.cards))
    assert 1 <= size <= min(snippets, verify.MAX_WORKERS, os.cpu_count() or 1)
    assert verify.pool_size([c for c in deck.cards if not c.snippet]) == 1
