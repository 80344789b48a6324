"""Lows left by the fifteenth newcomer pass (N15-5, N15-8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lossquiz.cli import app
from lossquiz.deck.cards import load_deck
from lossquiz.paths import builtin_deck
from lossquiz.study import recall
from lossquiz.study.grading import number_hint, parse_number
from lossquiz.worker.client import SnippetRunner
from tests.conftest import trusted


def test_an_overflowing_number_is_called_too_large_not_a_non_number() -> None:
    """N15-8: `1e999` was told "type a number", which it is."""
    assert parse_number("1e999") is None
    assert number_hint("1e999").startswith("1e999 is too large"), number_hint("1e999")
    assert number_hint("-1e999").startswith("-1e999 is too large")
    assert number_hint("abc").startswith("type a number")


def test_an_axis_a_vector_does_not_have_is_named_not_torchs_dimension_error(env: Path, runner: CliRunner) -> None:
    """N15-5: `sum(abs(r), 1)` on huber's vector residual printed torch's "Dimension out of range"."""
    result = runner.invoke(app, ["show", "huber-formula", "--answer", "sum(abs(r), 1)"])
    assert result.exit_code != 0
    line = result.stderr.splitlines()[0]
    assert "sum(…, 1): axis 1 does not exist — the argument is a vector of 4, its one axis is 0" in line, line
    assert "Dimension out of range" not in result.output


@pytest.mark.torch
def test_typing_bces_gradient_on_the_squared_error_card_is_named() -> None:
    """N15-4: on ce-vs-mse-gradient, p − y (the comparison the question itself gives) was just "wrong"."""
    import torch

    deck = load_deck(builtin_deck())
    card = deck.by_id["ce-vs-mse-gradient"]
    path = deck.snippet_path(card)
    assert path is not None
    bce = (torch.sigmoid(torch.tensor(-8.0)) - 1).item()  # the example: z = −8, y = 1
    with SnippetRunner(trusted(builtin_deck()), timeout=20) as runner:
        hint = recall.diagnose(runner, path, card, None, round(bce, 5))
        right = recall.diagnose(runner, path, card, None, 2 * bce * (bce + 1) * -bce)
    assert hint is not None and "BCE's gradient p - y" in hint, hint
    assert right is None or "BCE" not in right, right


def test_a_csv_table_is_said_to_be_no_import_format(env: Path, runner: CliRunner, tmp_path: Path) -> None:
    """N17-2: a CSV got "no questions found (write '#### Q: …' headings …)", as if it were broken notes."""
    table = tmp_path / "cards.csv"
    table.write_text("question,answer\nWhat is MSE?,mean of squared residuals\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(table), "--into", str(tmp_path / "deck")])
    assert result.exit_code == 1
    assert "cards.csv: a CSV/TSV table is not a format import reads" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "deck").exists()


@pytest.mark.parametrize("command", [["stats"], ["due"], ["card", "info", "huber"], ["history", "export", "-"]])
def test_a_damaged_first_page_is_one_line_for_the_read_only_commands(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    """N17b-1: junk over a SQLite file's first page (its header intact) gave the read-only commands
    a traceback ending in sqlite3.DatabaseError: database disk image is malformed; drill said it in one line."""
    import sqlite3

    from lossquiz.progress.store import Store

    home = tmp_path / "home"
    Store.open(home).close()
    db = home / "progress.db"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for journal in ("progress.db-wal", "progress.db-shm"):
        (home / journal).unlink(missing_ok=True)
    with db.open("r+b") as f:
        f.seek(100)
        f.write(b"JUNK" * 900)
    before = db.read_bytes()
    result = runner.invoke(app, command, env={"LOSSQUIZ_HOME": str(home)})
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (
        result.stderr.strip()
        == f"error: {db} is corrupt or not a lossquiz database (database disk image is malformed); left untouched"
    )
    assert db.read_bytes() == before


def test_a_reset_card_stays_new_through_history_export_and_import(runner: CliRunner, tmp_path: Path) -> None:
    """N17b-2: the file said `"fsrs": null` for a reset card, and the import replayed its reviews
    back into learning — `stats --json` of the copy differed (one new card fewer, a weakest card)."""
    import json

    home, copy, file = tmp_path / "a", tmp_path / "b", tmp_path / "hist.jsonl"
    env = {"LOSSQUIZ_HOME": str(home)}

    def ok(*args: str, input: str | None = None) -> str:
        result = runner.invoke(app, list(args), env=env, input=input)
        assert result.exit_code == 0, result.output
        return result.stdout

    ok("drill", "--card", "mse-mae-huber", input="x\n1\nx\n3\nq\n")  # Again, then Good: learning
    ok("card", "reset", "mse-mae-huber")
    ok("history", "export", str(file))
    ok("history", "import", str(file), "--data-dir", str(copy))

    def stats(*extra: str) -> dict[str, object]:
        data = json.loads(ok("stats", "--json", *extra))
        data.pop("generated_at")
        return data

    mine, theirs = stats(), stats("--data-dir", str(copy))
    assert theirs["cards"] == mine["cards"], (mine["cards"], theirs["cards"])
    assert mine == theirs
    info = ok("card", "info", "mse-mae-huber", "--data-dir", str(copy))
    assert info.splitlines()[1].split() == ["state", "new"], info


def _untrusted_numeric_deck(root: Path) -> Path:
    import shutil

    import yaml

    from lossquiz.paths import builtin_deck

    (root / "cards").mkdir(parents=True)
    (root / "snippets").mkdir()
    shutil.copy(builtin_deck() / "snippets" / "huber.py", root / "snippets")
    cards = yaml.safe_load((builtin_deck() / "cards" / "01-regression.yaml").read_text(encoding="utf-8"))
    (root / "cards" / "01.yaml").write_text(
        yaml.safe_dump([c for c in cards if c["id"] == "huber"], allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (
            ["--cram"],
            "Nothing to cram: every card chosen is graded by its snippet,"
            " which does not run until the deck is trusted.",
        ),
        ([], "Nothing is due right now (numeric and gradient cards are left out until the deck is trusted)."),
    ],
)
def test_an_empty_drill_of_an_untrusted_deck_says_why_not_cram(
    runner: CliRunner, tmp_path: Path, extra: list[str], said: str
) -> None:
    """N17b-3: `drill --cram` of an untrusted numeric deck said "Nothing is due right now. Review
    ahead with lossquiz drill --cram." — to a cram, which left out the same cards."""
    deck = _untrusted_numeric_deck(tmp_path / "d")
    marker = tmp_path / "ran"
    (deck / "snippets" / "huber.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n" + (deck / "snippets" / "huber.py").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    env = {"LOSSQUIZ_HOME": str(tmp_path / "h"), "COLUMNS": "200"}
    result = runner.invoke(app, ["drill", "--deck", str(deck), *extra], env=env, input="")
    assert result.exit_code == 0, result.output
    assert said in result.stdout and "--cram`" not in result.stdout, result.stdout
    assert "deck" in result.stderr and "not trusted" in result.stderr
    assert not marker.exists()  # and the snippet never ran


def test_the_echo_writes_every_natural_log_as_ln() -> None:
    """N17b-5: `log` echoed as ln(…) and `logsigmoid` as log σ(…) in one line."""
    from lossquiz.study.expression import parse

    assert parse("log(sigmoid(z)) + logsigmoid(-z)", ["z"]).pretty() == "ln(σ(z)) + ln σ(−z)"
