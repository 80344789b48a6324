"""The sixth newcomer pass's low items (issue 17, README only, 80x24): a drill header that fits is
left whole (its id cut first when not, until the twelfth pass made it wrap instead), `list` says when
nothing matches and its help names the kinds and topics, the daily new-card limit is said at the
start, wrapped lines hang, history counts agree, and "nothing due" names the filter."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from pytest import MonkeyPatch
from typer.testing import CliRunner

from lossquiz.cli.app import app
from tests.test_card_cli import T0, drill, run
from tests.test_promise import concept_deck

DECKS = Path(__file__).parent / "fixtures" / "decks"
CLOZE = DECKS / "lows2"  # two imported cloze cards with ids of 46 and 56 characters
LOWS = DECKS / "lows"  # concept cards only

# -- 1: a drill header that fits is one line (twelfth pass: an id is never cut) ----------------


def _headers(out: str) -> list[str]:
    return [line for line in out.splitlines() if line[:1].isdigit() and "/2  " in line[:6]]


def test_a_header_that_fits_is_left_whole(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    out = run(runner, "drill", "--deck", str(CLOZE), "--time-limit", "60", input="x\n3\nx\n3\n").stdout
    assert any(
        line.endswith("infonce-loss-divides-similarities-by-temperature-before · metric · cloze  ⏱ 60s")
        for line in _headers(out)
    ), out


# -- 2: list says what matched nothing; --kind and --topic list their values in the help --------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--kind", "cloze"], "no cloze cards in this deck"),
        (["--kind", "Cloze", "--topic", "gan"], "no cloze cards on topic gan in this deck"),
        (["--topic", "gan", "--topic", "llm"], "no cards on topic gan or llm in this deck"),
    ],
)
def test_list_with_nothing_matching_says_so(runner: CliRunner, args: list[str], said: str) -> None:
    result = run(runner, "list", "--deck", str(LOWS), *args)
    assert result.stdout == said + "\n"  # not an empty table's header
    assert run(runner, "list", "--deck", str(LOWS), "--json", *args).stdout.strip() == "[]"


@pytest.mark.parametrize("command", ["list", "drill", "stats"])
def test_the_help_of_kind_and_topic_names_their_values(
    runner: CliRunner, monkeypatch: MonkeyPatch, command: str
) -> None:
    from lossquiz.deck.kinds import KINDS, TOPICS

    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    text = " ".join(line.strip("│ ") for line in result.stdout.splitlines())
    text = " ".join(text.split())
    assert f"Only this topic (repeatable): {', '.join(TOPICS)}." in text
    if command != "stats":
        assert f"Only this kind (repeatable): {', '.join(KINDS)}." in text


# -- 3: the daily new-card limit is said when the drill starts, in words that read right ---------


def test_a_drill_past_the_daily_limit_says_so_before_the_first_card(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 20)
    drill(runner, deck, ratings="4" * 10)  # the day's 10 new cards, Easy: out of the way for days
    later = T0 + timedelta(minutes=1)  # --card introduces past the limit: 12, two of them due again soon
    drill(runner, deck, "--card", "concept-15", "--card", "concept-16", ratings="1111", at=later)
    keys = "q\n"  # quit at the first card: the line was already on screen
    out = run(runner, "drill", "--deck", str(deck), "--time-limit", "0", input=keys, at=T0 + timedelta(minutes=30))
    text = out.stdout
    line = "daily new-card limit reached: 12 new cards introduced today, limit 10 (new_per_day);"
    assert line in " ".join(text.split()), text
    assert text.index("daily new-card limit") < text.index("1/2  "), text  # before the first card
    assert text.count("daily new-card limit") == 1  # and not said again after quitting


# -- 6: piped show hangs its source line; "nothing due" names the filter -------------------------


def test_piped_show_hangs_a_long_source_under_its_value(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out = run(runner, "show", "temperature-tau-scales-logits-margin-additive", "--deck", str(CLOZE)).stdout
    lines = out.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("source: "))
    assert len(lines[at]) <= 80 and lines[at + 1].startswith(" " * len("source: ")) and lines[at + 1].strip()
    source = " ".join(line.strip() for line in lines[at : at + 3])
    assert "source: notes.md L3 — Contrastive losses:" in source and "the notes put them" in source


@pytest.mark.parametrize(
    ("args", "scope"),
    [
        (["--topic", "classification"], "--topic classification"),
        (["--topic", "classification", "--kind", "concept"], "--topic classification --kind concept"),
    ],
)
def test_nothing_due_names_the_filter(runner: CliRunner, args: list[str], scope: str) -> None:
    drill(runner, LOWS, "--card", "calibration", ratings="4")  # Easy: not due for days
    out = drill(runner, LOWS, *args, ratings="", at=T0 + timedelta(minutes=5)).stdout
    assert out.startswith(f"Nothing is due right now for {scope}. Next card due in "), out
    whole = drill(runner, LOWS, "--new", "0", ratings="", at=T0 + timedelta(minutes=5)).stdout
    assert whole.startswith("Nothing is due right now. Next card due in "), whole  # no filter, none named


# -- 5: the note about other decks counts what their export would write ------------------------


def test_the_other_decks_note_counts_what_that_decks_export_says(runner: CliRunner, tmp_path: Path) -> None:
    import re

    keys = "\n3\n" + "u\n" + "\n3\n" + "q\n"  # Good, undo it at the next card, Good again: 2 reviews, 1 undone
    run(runner, "drill", "--deck", str(LOWS), "--time-limit", "0", input=keys)
    drill(runner, CLOZE, "--cards", "1", ratings="3")  # a second deck, so the first is an "other" deck
    own = run(runner, "history", "export", "--deck", str(LOWS), str(tmp_path / "lows.jsonl")).stdout
    exported = int(re.search(r"exported (\d+) reviews", own)[1])  # type: ignore[index]
    lines = (tmp_path / "lows.jsonl").read_text().splitlines()
    assert exported == sum('"review"' in line for line in lines) == 2, own  # the undone one is in the file
    other = run(runner, "history", "export", "--deck", str(CLOZE), str(tmp_path / "cloze.jsonl")).stderr
    noted = re.search(r"lows \((\d+) reviews?\)", " ".join(other.split()))
    assert noted is not None and int(noted[1]) == exported, other


# -- 4 (part): the stats box wraps between counts, never between a count and its noun ------------


def test_the_stats_box_never_breaks_a_count_from_its_noun(runner: CliRunner, monkeypatch: MonkeyPatch) -> None:
    drill(runner, LOWS, "--cards", "1", ratings="3")
    monkeypatch.setenv("COLUMNS", "40")  # N13-18: zero counts are left out, so 50 no longer wraps the row
    out = run(runner, "stats", "--deck", str(LOWS)).stdout
    rows = [line.strip("│ ") for line in out.splitlines()[1:3]]
    assert rows[0].startswith("cards") and rows[0].endswith("·"), rows  # wrapped after a separator
    assert rows[1] == "1 learning", rows  # a further line starts with a count, hanging under the first


def test_a_built_in_id_stays_whole_in_the_drill_header_at_80_columns(
    runner: CliRunner, monkeypatch: MonkeyPatch
) -> None:
    """Eleventh newcomer pass F11: `huber-gradi…` hid the id `show` and `card info` take; the title is cut instead."""
    monkeypatch.setenv("COLUMNS", "80")
    for card in ("ddpm-posterior-variance-formula", "huber-gradient", "mse-mae-huber"):
        out = run(runner, "drill", "--card", card, "--cram", "--time-limit", "60", input="\x04").stdout
        lines = out.splitlines()
        at = next(i for i, line in enumerate(lines) if line.startswith("1/1  "))
        header = lines[at] + lines[at + 1]  # N13-07: a title cut below 24 cells has a line of its own
        assert len(lines[at]) <= 80 and len(lines[at + 1]) <= 80 and f"  {card} · " in header, header
