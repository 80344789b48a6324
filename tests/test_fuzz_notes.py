"""Fuzz for the notes parser (issue 12): arbitrary text or bytes give cards or a LossquizError,
never another exception, each example within a time bound (hypothesis' deadline).

The alphabet leans on what the parser reacts to (headings, Q:/A:, `::`, bullets, indentation,
LaTeX, code fences, front matter), mixed with arbitrary unicode and raw bytes.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lossquiz.deck.cards import load_deck
from lossquiz.deck.notes import load_notes
from lossquiz.deck.notes_import import import_notes
from lossquiz.errors import LossquizError

TOKENS = [
    "# ",
    "## ",
    "#### Q: ",
    "Q: ",
    "A: ",
    "::",
    "- ",
    "* ",
    "1. ",
    "  ",
    "\t",
    "    ",
    "\n",
    "\n\n",
    "\r\n",
    "---\n",
    "```",
    "`",
    "$",
    "$$",
    "\\frac{",
    "}",
    "{",
    "\\",
    "**",
    "_",
    "> ",
    "|",
    "?",
    ":",
    "[",
    "](",
    ")",
    "<!-- ",
    " -->",
    "huber loss",
    "cross-entropy",
    "What is the gradient of MSE?",
    "0.25",
    "é",
    "â€”",
    "\u200b",
    "\ufeff",
]

notes_text = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=120).map("".join),
)

# One example may parse a few KB; the deadline is generous for a loaded 2-core machine and far
# below the 24 s and "still running after 120 s" that hostile notes once took.
BOUND = settings(
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _parse(path: Path) -> None:
    try:
        notes = load_notes(path)
    except LossquizError as e:
        assert str(e).strip()
        return
    for card in notes.cards:
        assert isinstance(card.question, str) and isinstance(card.answer, str)


@settings(BOUND, max_examples=300)
@given(text=notes_text)
def test_notes_parser_on_arbitrary_text_is_cards_or_a_lossquiz_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _parse(path)


@settings(BOUND, max_examples=150)
@given(data=st.binary(max_size=400))
def test_notes_parser_on_arbitrary_bytes_is_cards_or_a_lossquiz_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "notes.md"
    path.write_bytes(data)
    _parse(path)


@settings(BOUND, max_examples=60)
@given(text=notes_text)
def test_notes_import_writes_a_loadable_deck_or_raises_a_lossquiz_error(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    """The whole `lossquiz import` path: a deck that then loads, or one clear error."""
    work = tmp_path_factory.mktemp("notes")
    path = work / "notes.md"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    target = work / "deck"
    try:
        result = import_notes(path, target)
    except LossquizError as e:
        assert str(e).strip()
        assert not target.exists()  # a failed import leaves no half-written deck
        return
    deck = load_deck(target)
    assert len(deck.cards) == result.cards
    shutil.rmtree(work)
