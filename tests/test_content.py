"""The built-in deck: valid, and every snippet agrees with its reference."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from lossquiz.deck.cards import load_deck
from lossquiz.deck.kinds import TOPICS
from lossquiz.paths import builtin_deck
from lossquiz.study.verify import check_snippets
from lossquiz.worker.client import SnippetRunner
from tests.conftest import builtin_trusted


def test_builtin_deck_is_valid() -> None:
    deck = load_deck(builtin_deck())
    assert len(deck.cards) == len({c.id for c in deck.cards})
    for card in deck.cards:
        assert card.title, card.id


@pytest.mark.torch
def test_every_snippet_agrees_with_its_reference() -> None:
    pytest.importorskip("torch")
    deck = load_deck(builtin_deck())
    with SnippetRunner(builtin_trusted()) as runner:
        reports = check_snippets(deck, list(deck.cards), runner, problems=20)
    failures = [f"{r.snippet}: {r.problem} {r.case}" for r in reports if not r.ok]
    assert not failures, "\n".join(failures)


# -- coverage of the notes and of docs/FACTCHECK.md ------------------------------------------

NOTES = Path(__file__).parent / "fixtures" / "seed_notes.md"
FACTCHECK_ITEMS = range(1, 52)  # part A of docs/FACTCHECK.md, items 1-51


def _sources() -> str:
    return "\n".join(c.source for c in load_deck(builtin_deck()).cards).lower()


def _note_entries() -> list[str]:
    """Every question of the notes, as the cards' `source` names it."""
    text = NOTES.read_text(encoding="utf-8")
    entries = [m.group(1).strip() for m in re.finditer(r"^#### (Q: .+)$", text, re.M)]
    entries += ["RLHF Pipeline", "DPO (Direct Preference Optimization)", "GRPO (DeepSeek / Group Relative PO)"]
    cross = text.split("### Cross-Cutting Connections")[1].split("###")[0]
    for m in re.finditer(r"^\*\s+\*\*(.+?)\*\*", cross, re.M):
        entries.append("Cross-Cutting: " + m.group(1).replace("$\\approx$", "≈"))
    quick = text.split("### Quick-Fire Round")[1]
    for m in re.finditer(r"^\*\s+\*\*(.+?)\*\*", quick, re.M):
        entries.append("Quick-Fire: " + m.group(1))
    return entries


def test_deck_size_and_spread() -> None:
    deck = load_deck(builtin_deck())
    kinds = Counter(c.kind for c in deck.cards)
    assert len(deck.cards) >= 180
    assert set(deck.topics()) == set(TOPICS)
    assert sum(1 for c in deck.cards if c.snippet) >= 110
    assert kinds["formula"] >= 40
    assert kinds["numeric"] + kinds["gradient"] >= 20
    assert len({c.snippet for c in deck.cards if c.snippet}) >= 40


def test_every_question_of_the_notes_is_a_card() -> None:
    entries = _note_entries()
    assert len(entries) >= 41  # 27 Q headings, 3 alignment sections, 4 cross-cutting, 7 quick-fire
    sources = _sources()
    missing = [e for e in entries if e.lower() not in sources]
    assert not missing, f"no card traces these notes entries in `source`: {missing}"


def test_every_factcheck_item_is_corrected_by_a_card() -> None:
    fixed = {n for c in load_deck(builtin_deck()).cards for n in c.factcheck}
    assert not set(FACTCHECK_ITEMS) - fixed, f"FACTCHECK items with no card: {sorted(set(FACTCHECK_ITEMS) - fixed)}"


def test_no_mojibake_and_no_notes_errors_taught() -> None:
    deck = load_deck(builtin_deck())
    for card in deck.cards:
        text = " ".join([card.question, card.answer, *card.key_points])
        assert "â€" not in text, card.id
        # InfoNCE is N-way: the positive is in the denominator (FACTCHECK 16).
        assert "(N-1)-way" not in text.replace("−", "-") or "not" in text, card.id


def test_numeric_cards_state_their_tolerance_and_grade_a_scalar() -> None:
    deck = load_deck(builtin_deck())
    for card in deck.cards:
        if card.auto_graded:
            assert card.snippet and card.tolerance > 0, card.id


@pytest.mark.torch
def test_show_json_schema_for_every_card() -> None:
    pytest.importorskip("torch")
    from lossquiz.study.worked_example import for_card

    deck = load_deck(builtin_deck())
    with SnippetRunner(builtin_trusted()) as runner:
        for card in deck.cards:
            data = for_card(deck, card, run=True, runner=runner).to_dict()
            for key in ("id", "topic", "kind", "question", "answer", "key_points", "formula", "snippet", "example"):
                assert key in data, (card.id, key)
            if card.snippet is None:
                assert data["snippet"] is None and data["example"] is None
                continue
            example = data["example"]
            assert set(example) == {"inputs", "steps", "value", "reference", "agree"}, card.id
            assert example["agree"] is True, card.id
            assert isinstance(example["value"], (float, int, dict, list)), card.id
            assert set(example["reference"]) == {"how", "value"}, card.id
            assert all(set(s) == {"name", "value"} for s in example["steps"]), card.id
