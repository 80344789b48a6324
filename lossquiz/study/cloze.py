"""Cloze cards: the gap the question shows, and when a typed fill can be checked.

A cloze card (deck.kinds) holds the sentence with its gap as the question, the sentence with
the deletion in bold as the answer, and the deletion itself as its first key point. A deletion
that is a number or a short term is typed and checked (case, spacing and a leading a/an/the do not count);
a longer one is revealed and self-rated, like a concept card.
"""

from __future__ import annotations

import re
import unicodedata

from lossquiz.deck import mathtext
from lossquiz.deck.answers import GREEK, checkable, is_number, strip_markup
from lossquiz.deck.cards import Card


def deletion(card: Card) -> str:
    """The text the gap hides."""
    return card.key_points[0] if card.key_points else ""


def typed_check(card: Card) -> str | None:
    """The deletion to check a typed fill against, or None if the card is self-rated."""
    hidden = deletion(card)
    return hidden if card.kind == "cloze" and checkable(hidden) else None


_ARTICLE = re.compile(r"^(?:a|an|the) (?=\S)")


def _norm(text: str) -> str:
    """Case, spacing, a final full stop and a leading article (a, an, the) do not count, and a
    Greek letter is its name (`tau` fills a τ gap: an ASCII keyboard has no τ)."""
    plain = mathtext.plain(strip_markup(unicodedata.normalize("NFKC", text)))
    folded = _ARTICLE.sub("", re.sub(r"\s+", " ", plain).strip().casefold().rstrip("."))
    return "".join(GREEK.get(ch, ch) for ch in folded)


def matches(typed: str, expected: str) -> bool:
    """True if the fill is the deletion, ignoring case, spacing and a leading a/an/the (and, for a
    number, its spelling)."""
    if is_number(typed) and is_number(expected):
        try:
            a = float(typed.strip().replace(" ", "").replace("−", "-").rstrip("%").replace(",", "."))
            b = float(expected.strip().replace(" ", "").replace("−", "-").rstrip("%").replace(",", "."))
        except ValueError:
            return _norm(typed) == _norm(expected)
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return _norm(typed).replace(" ", "") == _norm(expected).replace(" ", "")
