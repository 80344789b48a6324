"""The third newcomer pass (80x24, README only), display and CLI items: what a user sees at 80
columns, in a pipe, and after an answer."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli.app import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck
from lossquiz.progress.store import SessionSummary, Store
from tests.conftest import FIXTURES, trust_deck
from tests.test_history import _drill_like

RECALL = FIXTURES / "decks" / "recall"
NOW = datetime(2025, 1, 10, 12, 0, tzinfo=timezone.utc)


def _in_a_terminal(args: list[str], env: dict[str, str], columns: int = 80) -> str:
    """Run lossquiz on a pseudo-terminal `columns` wide (what a user at 80x24 sees), colours off."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "lossquiz", *args],
        stdin=subprocess.DEVNULL,
        stdout=follower,
        stderr=follower,
        env={**os.environ, **env, "COLUMNS": str(columns), "NO_COLOR": "1", "TERM": "xterm"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) == 0
    text = b"".join(chunks).decode()
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r\n", "\n")


# -- N8: list at 80 columns ----------------------------------------------------------------------


def test_list_at_80_columns_keeps_every_id_topic_and_kind_whole(tmp_path: Path) -> None:
    out = _in_a_terminal(["list", "--topic", "alignment", "--no-pager"], {"LOSSQUIZ_HOME": str(tmp_path / "data")})
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    assert "…" not in out
    cards = [c for c in load_deck(builtin_deck()).cards if c.topic == "alignment"]
    assert len(cards) > 10
    for card in cards:
        row = re.compile(rf"^{re.escape(card.id)}\s.*\s{card.topic}\s+{card.kind}(\s|$)")
        assert any(row.match(line) for line in lines), card.id
    # the wrapped titles are still all there, word for word
    words = " ".join(line for line in lines[1:]).split()
    for card in cards:
        assert all(w in words for w in card.title.split()), card.id


# -- N16: no trailing spaces in a pipe ------------------------------------------------------------


def test_piped_output_never_ends_a_line_with_a_space(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    trust_deck(deck_dir, data)
    common = ["--deck", str(deck_dir)]
    env = {"COLUMNS": "80", "LOSSQUIZ_HOME": str(data)}
    drill = runner.invoke(app, ["drill", "--card", "bias-variance", *common], input="\n3\n", env=env)
    assert drill.exit_code == 0, drill.output
    assert "session summary" in drill.stdout
    outputs = {"drill": drill.stdout}
    for args in (["list"], ["show", "bias-variance", "--no-run"], ["stats"], ["due"], ["trust", "--list"]):
        result = runner.invoke(app, [*args, *common] if args[0] != "trust" else args, env=env)
        assert result.exit_code == 0, (args, result.output)
        outputs[" ".join(args)] = result.stdout
    for name, text in outputs.items():
        assert text.strip(), name
        padded = [line for line in text.splitlines() if line.endswith(" ")]
        assert not padded, (name, padded[:3])


# -- N18: history import counts what it touched ---------------------------------------------------


def test_history_import_reports_the_cards_its_reviews_touch(runner: CliRunner, tmp_path: Path) -> None:
    source, target, file = tmp_path / "source", tmp_path / "target", tmp_path / "history.jsonl"
    with Store.open(source) as store:
        store.sync_cards((f"card-{i}", "h") for i in range(40))  # an export lists every one of them
        for n in range(17):
            _drill_like(store, f"card-{n % 3}", 3, NOW - timedelta(days=30 - n))
    exported = runner.invoke(app, ["history", "export", str(file), "--data-dir", str(source)])
    assert exported.exit_code == 0, exported.output
    result = runner.invoke(app, ["history", "import", str(file), "--data-dir", str(target)])
    assert result.exit_code == 0, result.output
    assert "17 reviews added to 3 cards" in result.stdout
    assert "40" not in result.stdout.replace(str(file), "")  # the 40 cards the file lists; not its path (pytest-140)
    again = runner.invoke(app, ["history", "import", str(file), "--data-dir", str(tmp_path / "t2"), "--json"])
    counts = json.loads(again.stdout)
    assert counts["cards_reviewed"] == 3 and counts["reviews_added"] == 17
    assert {"cards_added", "cards_rebuilt", "reviews_present", "sessions_added"} <= counts.keys()  # kept


# -- N9, N14, N12, X6: a formula answer in the drill ---------------------------------------------


@pytest.mark.torch
def test_formula_drill_names_each_element_once_shows_the_answer_and_a_relative_next_due(tmp_path: Path) -> None:
    data, deck = tmp_path / "data", tmp_path / "recall"
    shutil.copytree(RECALL, deck)
    trust_deck(deck, data)
    env = {**os.environ, "LOSSQUIZ_HOME": str(data), "COLUMNS": "80", "NO_COLOR": "1"}
    env["LOSSQUIZ_NOW"] = "2025-01-01T09:00:00Z"  # long past: an absolute time would look overdue
    typed = "0.5*r^2\nwhere(abs(r)<=delta, r^2/2, delta*(abs(r)-delta/2))\nq\n"
    proc = subprocess.run(
        [sys.executable, "-m", "lossquiz", "drill", "--kind", "formula", "--card", "huber-formula"]
        + ["--deck", str(deck), "--seed", "1", "--time-limit", "0"],
        input=typed,
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    wrong, right = out.split("✓ right")
    # N9: the 3rd residual (from 1) is the only wrong element: named once, with its count
    assert "first disagreement on the fixed example, element 3 of 4:" in wrong
    assert wrong.count("element 3") == 1 and "also wrong" not in wrong
    # N14: after the right answer, the card's answer and key points (not only the tick)
    card = next(c for c in load_deck(deck).cards if c.id == "huber-formula")
    after = right.split("recorded")[0]
    assert "reference: where(|r| ≤ δ" in after
    assert all(point in after for point in card.key_points)
    # X6: every auto-graded answer counts in the accuracy, so it is not called "numeric"
    assert "graded accuracy  1/2 (50%)" in out and "numeric accuracy" not in out
    # N12: next due relative to the session's now
    assert re.search(r"next due\s+in \d+m \(", out), out[-600:]


def test_next_due_that_has_passed_says_now() -> None:
    from rich.console import Console

    from lossquiz.ui import drill_view

    summary = SessionSummary(
        reviews=1, graded=0, correct=0, ratings={3: 1}, seconds=5, due_now=0, due_today=1,
        next_due="2025-01-01T09:01:00.000000+00:00",
    )  # fmt: skip
    console = Console(width=80, record=True, no_color=True)
    console.print(drill_view.summary(summary, interrupted=False, cram=False, now=NOW))
    text = console.export_text()
    assert re.search(r"next due\s+now\s", text) and "2025-01-01" not in text
    console.print(drill_view.nothing_due(summary, now=NOW))
    assert "Next card due now." in console.export_text()


# -- X5: one-line drill header -------------------------------------------------------------------

LONG_TITLE = """
- id: folded-title
  title: |
    A card whose title the YAML spreads
    over several lines, long enough to run past the eighty columns of a terminal
  topic: regression
  kind: concept
  question: What is it?
  answer: This.
  key_points: [this, that]
  source: fixture
"""


def test_drill_header_is_one_line_however_the_title_is_written(
    runner: CliRunner, deck_dir: Path, tmp_path: Path
) -> None:
    with (deck_dir / "cards" / "01-basics.yaml").open("a") as f:
        f.write(LONG_TITLE)
    data = tmp_path / "data"
    trust_deck(deck_dir, data)
    env = {"COLUMNS": "80", "LOSSQUIZ_HOME": str(data)}
    result = runner.invoke(app, ["drill", "--card", "folded-title", "--deck", str(deck_dir)], input="\n3\n", env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("1/1"))
    assert lines[head].startswith("1/1  A card whose title the YAML s")  # the lines joined by a space
    assert "folded-title · regression · concept" in lines[head] and "…" in lines[head]
    assert len(lines[head]) <= 80 and lines[head + 1].startswith("What is it?")


# -- X4: a Monte Carlo estimate is not called exact -----------------------------------------------


@pytest.mark.torch
def test_a_monte_carlo_reference_is_called_an_estimate(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["show", "reparameterization-trick", "--data-dir", str(tmp_path / "data")], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    reference = next(line for line in result.stdout.splitlines() if line.lstrip("│ ").startswith("reference"))
    assert "estimate (Monte Carlo, 200000 samples)" in reference
    assert "exact" not in reference


# -- X8: no literal backticks in messages --------------------------------------------------------


def test_messages_show_commands_without_backticks(runner: CliRunner, deck_dir: Path, tmp_path: Path) -> None:
    env = {"COLUMNS": "80", "LOSSQUIZ_HOME": str(tmp_path / "data")}
    error = runner.invoke(app, ["untrust", str(deck_dir)], env=env)  # an error, on stderr
    assert error.exit_code == 1 and "(see lossquiz trust --list)" in error.stderr and "`" not in error.stderr
    note = runner.invoke(app, ["show", "square", "--deck", str(deck_dir)], env=env)  # a note, on stderr
    assert "then run lossquiz trust" in note.stderr and "`" not in note.stderr
    listed = runner.invoke(app, ["trust", "--list"], env=env)
    assert "Trust one with lossquiz trust DECK" in " ".join(listed.stdout.split()) and "`" not in listed.stdout
    trust_deck(deck_dir, tmp_path / "data")
    with Store.open(tmp_path / "data", deck=str(deck_dir.resolve())) as store:
        store.sync_cards((c.id, c.content_hash()) for c in load_deck(deck_dir).cards)
    drill = runner.invoke(app, ["drill", "--card", "bias-variance", "--deck", str(deck_dir)], input="\n1\n", env=env)
    assert "due now" in drill.stdout or "next due" in drill.stdout
    assert "`" not in drill.stdout and "`" not in drill.stderr


# -- X11: the formats in the help ----------------------------------------------------------------


def test_help_names_the_import_and_export_formats(runner: CliRunner) -> None:
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert ".apkg" in top
    export_line = next(line for line in top.splitlines() if re.match(r"\W*export\s", line))
    import_line = next(line for line in top.splitlines() if re.match(r"\W*import\s", line))
    for fmt in (".apkg", ".txt", ".tsv", "Markdown", "JSON"):
        assert fmt in export_line, fmt
    for fmt in (".apkg", "Markdown", "Obsidian", "Logseq"):
        assert fmt in import_line, fmt


def test_the_answer_after_a_formula_verdict_stays_compact_at_80_columns() -> None:
    from rich.console import Console

    from lossquiz.ui.card_view import compact_answer

    formula_cards = [c for c in load_deck(builtin_deck()).cards if c.grading == "expression"]
    assert len(formula_cards) > 20
    for card in formula_cards:
        console = Console(width=80, record=True, no_color=True, file=io.StringIO())
        console.print(compact_answer(card))
        lines = console.export_text().rstrip("\n").splitlines()
        assert len(lines) <= 10, (card.id, len(lines))  # with the verdict and the question, 24 rows
        shown = " ".join(" ".join(lines).split())
        assert all(" ".join(point.split()) in shown for point in card.key_points), card.id
