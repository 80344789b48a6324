"""What a drill says at its end about new cards, and the order it shows cards of one family in, end to end."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.test_card_cli import T0, drill, run
from tests.test_promise import concept_deck


def test_quitting_early_reports_only_the_cards_introduced(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 20)
    keys = "\n3\n" * 3 + "q\n"  # 3 answered, then quit with 7 new cards still queued
    out = run(runner, "drill", "--deck", str(deck), "--time-limit", "0", input=keys).stdout
    assert out.count("recorded Good") == 3
    due = json.loads(run(runner, "due", "--deck", str(deck), "--json", at=T0 + timedelta(minutes=1)).stdout)
    assert due["introduced_today"] == 3
    assert "limit reached" not in out  # 3 of 10: the limit was not reached, 7 more are left today
    assert "10 new cards introduced today" not in out


def test_reaching_the_limit_counts_what_the_store_counts(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 20)
    drill(runner, deck, "--cards", "4", ratings="4444")  # 4 introduced earlier today
    out = drill(runner, deck, ratings="4" * 6, at=T0 + timedelta(minutes=5)).stdout
    assert out.count("recorded Easy") == 6
    out = " ".join(out.split())  # the line wraps at the terminal's width
    assert "daily new-card limit reached: 10 new cards introduced today, limit 10 (new_per_day)" in out
    assert "--new 5 introduces 5 more" in out  # 10 unseen left


def test_a_cram_session_says_nothing_about_the_daily_limit(runner: CliRunner, tmp_path: Path) -> None:
    deck = concept_deck(tmp_path / "deck", 30)
    drill(runner, deck, ratings="4" * 10)  # the daily limit is reached for real
    crammed = drill(runner, deck, "--cram", ratings="4", at=T0 + timedelta(minutes=5)).stdout
    assert "recorded Easy" in crammed
    assert "limit reached" not in crammed
    interrupted = drill(runner, deck, "--cram", ratings="", at=T0 + timedelta(minutes=6))  # EOF: nothing answered
    assert "limit reached" not in interrupted.stdout
    assert not re.search(r"\b20 introduced", interrupted.stdout)
    due = json.loads(run(runner, "due", "--deck", str(deck), "--json", at=T0 + timedelta(minutes=7)).stdout)
    assert due["introduced_today"] == 10  # cram introduced nothing


def _family_deck(root: Path, cards: list[tuple[str, str]]) -> Path:
    """A deck of concept cards (id, family), in this curriculum order."""
    (root / "cards").mkdir(parents=True)
    (root / "snippets").mkdir()
    lines = []
    for cid, family in cards:
        lines += [
            f"- id: {cid}",
            f"  title: Card {cid}",
            "  topic: regression",
            "  kind: concept",
            f"  family: {family}",
            f"  question: What is {cid}?",
            f"  answer: It is {cid}.",
            "  key_points: [one, two]",
            "  source: fixture",
            "",
        ]
    (root / "cards" / "01-cards.yaml").write_text("\n".join(lines), encoding="utf-8")
    return root


def _shown(out: str, ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda cid: out.index(f"What is {cid}?"))


def test_a_new_card_is_not_shown_next_to_a_due_card_of_its_family(runner: CliRunner, tmp_path: Path) -> None:
    deck = _family_deck(tmp_path / "deck", [("x1", "fx"), ("y1", "fy"), ("y2", "fy")])
    first = drill(runner, deck, "--cards", "2", ratings="33").stdout  # x1, y1 learnt: due again in minutes
    assert _shown(first, ["x1", "y1"]) == ["x1", "y1"]
    later = drill(runner, deck, ratings="333", at=T0 + timedelta(hours=1)).stdout  # x1, y1 due, y2 new
    # "first card of another family" gave x1 y1 y2: y1 and y2 back to back, where y1 x1 y2 keeps them apart
    assert _shown(later, ["x1", "y1", "y2"]) == ["y1", "x1", "y2"]
    assert later.count("recorded Good") == 3


def test_families_spread_across_a_session_as_far_as_its_cards_allow(runner: CliRunner, tmp_path: Path) -> None:
    cards = [("b1", "fb"), ("c1", "fc"), ("a1", "fa"), ("a2", "fa"), ("a3", "fa")]
    deck = _family_deck(tmp_path / "deck", cards)
    out = drill(runner, deck, ratings="33333").stdout
    assert _shown(out, [c for c, _ in cards]) == ["a1", "b1", "a2", "c1", "a3"]  # not b1 c1 a1 a2 a3
