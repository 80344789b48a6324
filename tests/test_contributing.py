"""docs/CONTRIBUTING.md's recipes name files that exist, at most three each, and the code agrees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lossquiz.deck import kinds
from lossquiz.deck.cards import Card

REPO = Path(__file__).parent.parent
GUIDE = (REPO / "docs" / "CONTRIBUTING.md").read_text(encoding="utf-8")
TRACED = ("Add a card kind", "Add a stats figure", "Change how typed answers are parsed", "Add an export format")


def _recipe(title: str) -> str:
    return GUIDE.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


def test_each_traced_recipe_names_at_most_three_existing_files() -> None:
    for title in TRACED:
        files = set(re.findall(r"`(lossquiz/[\w/]+\.py)`", _recipe(title)))
        assert 1 <= len(files) <= 3, (title, files)
        missing = [f for f in files if not (REPO / f).is_file()]
        assert not missing, (title, missing)


def test_a_kind_graded_like_another_needs_only_its_registry_entry(monkeypatch: pytest.MonkeyPatch) -> None:
    new = kinds.Kind("definition", "recall a definition", "self", needs_snippet=False, style="white")
    monkeypatch.setitem(kinds.KINDS, new.name, new)  # cards.py reads the same dict
    card = Card(id="x", topic="regression", kind="definition", question="q", answer="a", key_points=(), source="s")
    assert card.grading == "self" and not card.auto_graded


def test_export_formats_are_one_list() -> None:
    from lossquiz.cli.notes import ExportFormat
    from lossquiz.deck.export import FORMATS

    assert tuple(f.value for f in ExportFormat) == FORMATS
