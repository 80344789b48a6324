"""Trust: a foreign deck's snippets (code) never run until the user trusts them, as they are now.

The proof is a snippet that writes a file the moment it is imported: after `show`, `check`
and `drill` on an untrusted deck the file must not exist.
"""

from __future__ import annotations

import importlib.util
import json
import py_compile
import sqlite3
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz import paths
from lossquiz.cli import app
from lossquiz.deck import trust
from lossquiz.progress.migrations import MIGRATIONS
from lossquiz.progress.store import Store
from tests.conftest import trust_deck, write_snippet

SPY = '''"""A snippet that leaves a mark when it runs (test fixture)."""

import random
from pathlib import Path

import torch

Path({marker!r}).write_text("ran")
REFERENCE = "closed form"


def example():
    return {{"x": torch.tensor([1.0, 2.0])}}


def problem(rng: random.Random):
    return {{"x": torch.tensor([float(rng.randint(0, 3))])}}


def loss(x):
    return {{"value": x.sum()}}


def reference(x):
    return x.sum()
'''

SPY_CARD = """
- id: spy
  title: Spy
  topic: regression
  kind: concept
  question: What does the spy snippet sum?
  answer: The inputs.
  key_points: [sum, inputs]
  snippet: spy
  source: fixture
"""


@pytest.fixture
def spy_deck(deck_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The fixture deck plus a concept card whose snippet writes `marker` when it runs."""
    marker = tmp_path / "snippet-ran"
    write_snippet(deck_dir, "spy", SPY.format(marker=str(marker)))
    with (deck_dir / "cards" / "01-basics.yaml").open("a") as f:
        f.write(SPY_CARD)
    return deck_dir, marker


def test_show_on_untrusted_deck_runs_nothing_and_says_why(runner: CliRunner, spy_deck: tuple[Path, Path]) -> None:
    deck, marker = spy_deck
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck)])
    assert result.exit_code == 0, result.output
    assert "What does the spy snippet sum?" in result.stdout and "def loss" in result.stdout
    assert "worked example" not in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"note: showing without running the snippet: deck {deck} is not trusted (it has Python code in snippets/): "
        f"read it, then run lossquiz trust {deck}"
    )
    assert not marker.exists()
    assert not (paths.data_dir() / "progress.db").exists()  # looking did not create a database


def test_check_on_untrusted_deck_refuses_in_one_line(runner: CliRunner, spy_deck: tuple[Path, Path]) -> None:
    deck, marker = spy_deck
    result = runner.invoke(app, ["check", "--deck", str(deck), "--problems", "1"])
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: not running the deck's code: deck {deck} is not trusted")
    assert not marker.exists()


def test_drill_on_untrusted_deck_runs_no_snippet(runner: CliRunner, spy_deck: tuple[Path, Path]) -> None:
    deck, marker = spy_deck
    result = runner.invoke(app, ["drill", "--deck", str(deck), "--cards", "10"], input="\n3\n" * 5)
    assert result.exit_code == 0, result.output
    asked = [line.split()[1] for line in result.stdout.splitlines() if line[:1].isdigit() and "/" in line[:5]]
    assert asked == ["Bias", "Spy", "Logistic"]  # numeric cards (square, absolute) left out
    assert "live: snippets/spy.py" not in result.stdout  # revealed without live numbers
    assert "The inputs." in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("note: no snippet runs and numeric/gradient cards are left out: deck ")
    assert not marker.exists()


@pytest.mark.torch
def test_trusting_allows_it_and_editing_revokes_it(runner: CliRunner, spy_deck: tuple[Path, Path]) -> None:
    pytest.importorskip("torch")
    deck, marker = spy_deck
    result = runner.invoke(app, ["trust", str(deck)])
    assert result.exit_code == 0, result.output
    assert (
        f"trusted {deck.resolve()}: 4 files "
        "(cards/01-basics.yaml, snippets/absolute.py, snippets/spy.py, snippets/square.py)" in result.stdout
    )
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck)])
    assert result.exit_code == 0 and result.stderr == ""
    assert "worked example" in result.stdout and marker.read_text() == "ran"

    marker.unlink()
    spy = deck / "snippets" / "spy.py"
    spy.write_text(spy.read_text() + "\n# one more line\n")
    for args in (["show", "spy"], ["check", "spy"]):
        result = runner.invoke(app, [*args, "--deck", str(deck)])
        assert "changed since you trusted it" in result.stderr
    assert not marker.exists()
    listed = json.loads(runner.invoke(app, ["trust", "--list", "--json"]).stdout)
    assert [(e["path"], e["status"], e["files"]) for e in listed] == [(str(deck.resolve()), "changed", 4)]

    assert runner.invoke(app, ["trust", str(deck)]).exit_code == 0
    result = runner.invoke(app, ["check", "spy", "--deck", str(deck), "--problems", "1"])
    assert result.exit_code == 0, result.output
    assert marker.exists()


def test_a_new_file_beside_the_snippets_revokes_trust(spy_deck: tuple[Path, Path], env: Path) -> None:
    deck, _ = spy_deck
    trust_deck(deck)
    assert trust.is_trusted(deck, env).trusted
    (deck / "snippets" / "helper.py").write_text("import os\n")
    verdict = trust.is_trusted(deck, env)
    assert not verdict.trusted and "changed since you trusted it" in verdict.reason


def test_bytecode_caches_are_never_run(
    runner: CliRunner, spy_deck: tuple[Path, Path], tmp_path: Path, env: Path
) -> None:
    """A .pyc shipped in snippets/__pycache__ could run code nobody read: the worker ignores it."""
    pytest.importorskip("torch")
    deck, marker = spy_deck
    planted = tmp_path / "planted-ran"
    trust_deck(deck)
    evil = tmp_path / "evil.py"
    evil.write_text(SPY.format(marker=str(planted)))
    cache = importlib.util.cache_from_source(str(deck / "snippets" / "spy.py"))
    py_compile.compile(
        str(evil), cfile=cache, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    trust_deck(deck)  # a .pyc is not a *.py: trusting the deck as it is now ...
    result = runner.invoke(app, ["show", "spy", "--deck", str(deck)])
    assert result.exit_code == 0, result.output
    assert marker.exists() and not planted.exists()  # ... and the reviewed source is what ran


def test_untrust_and_trust_usage(runner: CliRunner, spy_deck: tuple[Path, Path]) -> None:
    deck, _ = spy_deck
    assert runner.invoke(app, ["trust", str(deck)]).exit_code == 0
    result = runner.invoke(app, ["untrust", str(deck)])
    assert result.exit_code == 0 and f"no longer trusted: {deck.resolve()}" in result.stdout
    result = runner.invoke(app, ["untrust", str(deck)])
    assert result.exit_code == 1 and "is not trusted" in result.stderr
    assert runner.invoke(app, ["trust"]).exit_code == 2
    assert runner.invoke(app, ["trust", str(deck), "--list"]).exit_code == 2
    result = runner.invoke(app, ["trust", str(deck / "snippets")])
    assert result.exit_code == 1 and "snippets: not a deck (no cards/ folder)" in result.stderr
    result = runner.invoke(app, ["trust", str(deck / "nope")])
    assert result.exit_code == 1 and "nope: no such folder" in result.stderr
    result = runner.invoke(app, ["stats", "--deck", str(deck / "nope")])  # sixth newcomer pass F15
    assert result.exit_code == 3 and "nope: no such folder" in result.stderr
    result = runner.invoke(app, ["trust", "--list"])
    assert result.exit_code == 0 and "No deck is trusted yet" in result.stdout


def test_builtin_deck_and_decks_without_snippets_are_trusted(tmp_path: Path, deck_dir: Path) -> None:
    data = tmp_path / "data"
    assert trust.is_trusted(paths.builtin_deck(), data) == trust.Verdict(True, "the built-in deck")
    for snippet in (deck_dir / "snippets").iterdir():
        snippet.unlink()
    assert trust.is_trusted(deck_dir, data) == trust.Verdict(True, "the deck has no snippets or practice tasks")
    assert not data.exists()


def test_trust_is_keyed_on_the_resolved_path(
    spy_deck: tuple[Path, Path], env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck, _ = spy_deck
    trust_deck(deck)
    monkeypatch.chdir(deck.parent)
    assert trust.is_trusted(Path(deck.name), env).trusted
    assert trust.is_trusted(Path(deck.name) / ".." / deck.name, env).trusted


def test_migration_adds_the_trusted_decks_table(tmp_path: Path) -> None:
    assert "m004_trusted_decks" in [m.__name__ for m in MIGRATIONS]
    with Store.open(tmp_path) as store:
        store.trust_deck("/a/deck", "abc", 2, datetime(2025, 1, 1, tzinfo=timezone.utc))
        assert [(t.path, t.files) for t in store.trusted_decks()] == [("/a/deck", 2)]
    conn = sqlite3.connect(tmp_path / "progress.db")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(trusted_decks)")]
    assert columns == ["path", "snippets_hash", "files", "trusted_at"]
    conn.close()


# -- practice tasks are the deck's code too ------------------------------------------------------

SPY_TASK = '''"""Practice task for card 'square' that leaves a mark when it is imported or run (test fixture)."""

from pathlib import Path

import torch

with open({marker!r}, "a") as _mark:
    _mark.write("imported\\n")

FUNCTION = "mse"
DOCSTRING = """Mean squared error between y and y_hat (both (N,)), a 0-dim tensor."""
REFERENCE = "the mean of the squared residuals, written out"
CASES = ["four values"]
GRAD = ("y_hat",)


def mse(y, y_hat):
    return ((y - y_hat) ** 2).mean()


def reference(y, y_hat):
    with open({marker!r}, "a") as mark:
        mark.write("reference\\n")
    return ((y_hat - y) ** 2).sum() / y.numel()


def inputs(gen, case):
    return {{"y": torch.randn(4, generator=gen), "y_hat": torch.randn(4, generator=gen)}}
'''

ATTEMPT = "import torch\n\n\ndef mse(y, y_hat):\n    return ((y - y_hat) ** 2).mean()\n"


@pytest.fixture
def spy_practice(deck_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The fixture deck plus a practice task for 'square' whose code writes `marker` when it runs."""
    marker = tmp_path / "practice-ran"
    (deck_dir / "practice").mkdir()
    (deck_dir / "practice" / "square.py").write_text(SPY_TASK.format(marker=str(marker)))
    return deck_dir, marker


def _code_reviews(home: Path) -> int:
    if not (home / "progress.db").exists():
        return 0
    conn = sqlite3.connect(home / "progress.db")
    try:
        return int(conn.execute("SELECT count(*) FROM reviews WHERE mode = 'code'").fetchone()[0])
    finally:
        conn.close()


def test_code_check_on_untrusted_deck_runs_no_practice_task(
    runner: CliRunner, spy_practice: tuple[Path, Path], env: Path
) -> None:
    deck, marker = spy_practice
    started = runner.invoke(app, ["code", "square", "--deck", str(deck)])  # writing the stub runs nothing
    assert started.exit_code == 0, started.output
    assert "wrote " in started.stdout and not marker.exists()
    (env / "practice" / "square.py").write_text(ATTEMPT)
    listing = runner.invoke(app, ["code", "--list", "--deck", str(deck), "--json"])
    assert listing.exit_code == 0 and [r["id"] for r in json.loads(listing.stdout)] == ["square"]

    result = runner.invoke(app, ["code", "square", "--check", "--deck", str(deck)])
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line == (
        f"error: not running the deck's code: deck {deck} is not trusted "
        f"(it has Python code in snippets/ and practice/): read it, then run lossquiz trust {deck}"
    )
    assert not marker.exists()
    assert _code_reviews(env) == 0  # refused, not failed: nothing recorded


def test_untrusted_deck_does_not_open_the_editor(
    runner: CliRunner, spy_practice: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The editor flow ends in a check, which cannot run: the file is written, the editor is not opened."""
    deck, marker = spy_practice
    opened = tmp_path / "editor-opened"
    editor = tmp_path / "editor.py"
    editor.write_text(f"from pathlib import Path\nPath({str(opened)!r}).write_text('opened')\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = runner.invoke(app, ["code", "square", "--deck", str(deck)])
    assert result.exit_code == 0, result.output
    assert "lossquiz code check square" in result.stdout
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"note: not opening your editor: deck {deck} is not trusted")
    assert not opened.exists() and not marker.exists()


def test_practice_files_are_part_of_the_trusted_digest(spy_practice: tuple[Path, Path], env: Path) -> None:
    deck, _ = spy_practice
    digest = trust.code_digest(deck)
    assert digest.files == ("cards/01-basics.yaml", "practice/square.py", "snippets/absolute.py", "snippets/square.py")
    trust_deck(deck)
    assert trust.is_trusted(deck, env).trusted
    (deck / "practice" / "_helpers.py").write_text("X = 1\n")  # a new file, even one no task names
    verdict = trust.is_trusted(deck, env)
    assert not verdict.trusted
    assert verdict.reason == (
        f"the code of deck {deck} (in snippets/ and practice/) changed since you trusted it: "
        f"read it, then run `lossquiz trust {deck}`"
    )


def test_a_deck_with_only_practice_tasks_needs_trust(spy_practice: tuple[Path, Path], env: Path) -> None:
    deck, _ = spy_practice
    for snippet in (deck / "snippets").iterdir():
        snippet.unlink()
    verdict = trust.is_trusted(deck, env)
    assert not verdict.trusted and "(it has Python code in practice/)" in verdict.reason


@pytest.mark.torch
def test_trusting_allows_code_check_and_editing_the_task_revokes_it(
    runner: CliRunner, spy_practice: tuple[Path, Path], env: Path
) -> None:
    pytest.importorskip("torch")
    deck, marker = spy_practice
    assert runner.invoke(app, ["code", "square", "--deck", str(deck)]).exit_code == 0
    (env / "practice" / "square.py").write_text(ATTEMPT)
    trusted = runner.invoke(app, ["trust", str(deck)])
    assert trusted.exit_code == 0, trusted.output
    assert (
        "4 files (cards/01-basics.yaml, practice/square.py, snippets/absolute.py, snippets/square.py)" in trusted.stdout
    )

    result = runner.invoke(app, ["code", "square", "--check", "--deck", str(deck), "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert marker.read_text().splitlines()[:2] == ["imported", "reference"]  # the task ran, once trusted
    assert _code_reviews(env) == 1

    marker.unlink()
    task = deck / "practice" / "square.py"
    task.write_text(task.read_text() + "\n# one more line\n")
    result = runner.invoke(app, ["code", "square", "--check", "--deck", str(deck)])
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: not running the deck's code: the code of deck {deck} (in snippets/ and practice/)")
    assert "changed since you trusted it" in line
    assert not marker.exists() and _code_reviews(env) == 1
    listed = json.loads(runner.invoke(app, ["trust", "--list", "--json"]).stdout)
    assert [(e["status"], e["files"]) for e in listed] == [("changed", 4)]
