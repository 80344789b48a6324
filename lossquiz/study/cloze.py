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
from lossquiz.deck.answers import GREEK, checkable, is_number, plain_deletion, strip_markup
from lossquiz.deck.cards import Card
from lossquiz.study.grading import parse_number


def deletion(card: Card) -> str:
    """The text the gap hides."""
    return card.key_points[0] if card.key_points else ""


def typed_check(card: Card) -> str | None:
    """The deletion to check a typed fill against, or None if the card is self-rated."""
    hidden = deletion(card)
    return plain_deletion(hidden) if card.kind == "cloze" and checkable(hidden) else None  # `$\tau$` as τ


_ARTICLE = re.compile(r"^(?:a|an|the) (?=\S)")
# What an ASCII keyboard types for the math signs papers print (after NFKC, which already makes
# σ² σ2 and x⁻¹ x-1): `p - y` fills a `p − y` gap, `1/sqrt(d)` a `1/√d` one, `KL(q||p)` a `KL(q‖p)` one.
_ASCII_MATH = str.maketrans(
    {
        "−": "-",
        "–": "-",
        "‐": "-",
        "‑": "-",
        "‖": "||",
        "√": "sqrt",
        "≤": "<=",
        "≥": ">=",
        "≠": "!=",
        "→": "->",
        "·": "*",
        "×": "*",
    }
)
_POWER = re.compile(r"\*\*|\^")  # sigma^2 and sigma**2 are σ² (NFKC: σ2)
_PARENS = re.compile(r"\(([^()]+)\)")  # brackets do not count: sqrt(d) is √d, log(sigma(z)) is log σ(z)
_SIGMOID = re.compile(r"sigmoid(?=\()")  # σ(z) is the sigmoid: `sigmoid(z)` fills a `σ(z)` gap
# Words joined by hyphens (`non-negative`, `log-sum-exp`): the hyphens do not count. Only between
# letters, and not when every joined word is one letter (`p-y` is a minus), so `1-p`, `-log σ`
# and `p - y` keep their minus signs.
_HYPHENATED = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?:-[^\W\d_]+)+(?![^\W\d_])")


def _unhyphenate(match: re.Match[str]) -> str:
    words = match[0].split("-")
    return match[0] if all(len(word) == 1 for word in words) else "".join(words)


def _norm(text: str) -> str:
    """Case, spacing, a final full stop and a leading article (a, an, the) do not count, a Greek
    letter is its name (`tau` fills a τ gap: an ASCII keyboard has no τ), and a math sign is what
    an ASCII keyboard types for it (`-` for −, `^2` for ², `sqrt(d)` for √d, `||` for ‖); spaces
    are dropped last, so `KL(q || p)` is `KL(q‖p)` and `cross entropy` is `crossentropy`; a hyphen
    joining words is dropped too (`non-negative` is `nonnegative`), a minus sign is not."""
    text = unicodedata.normalize("NFKC", text)
    if "\\" in text and "$" not in text:  # `\tau`, `\sigma^2` typed without dollars: LaTeX all the same
        text = f"${text.strip()}$"
    plain = unicodedata.normalize("NFKC", mathtext.plain(strip_markup(text))).translate(_ASCII_MATH)
    folded = _ARTICLE.sub("", re.sub(r"\s+", " ", plain).strip().casefold().rstrip("."))
    joined = _HYPHENATED.sub(_unhyphenate, folded)
    spelt = _SIGMOID.sub("sigma", "".join(GREEK.get(ch, ch) for ch in joined)).replace(" ", "")
    compact = _POWER.sub("", spelt)
    while (bare := _PARENS.sub(r"\1", compact)) != compact:  # each pass removes one level
        compact = bare
    return compact


def matches(typed: str, expected: str) -> bool:
    """True if the fill is the deletion, ignoring case, spacing and a leading a/an/the (and, for a
    number, its spelling)."""
    if is_number(expected) and not is_number(typed) and (fraction := parse_number(typed)) is not None:
        typed = repr(fraction)  # 1/4 fills a 0.25 gap, as a numeric card takes 3/4
    if is_number(typed) and is_number(expected):
        try:
            a, b = _value(typed), _value(expected)
        except ValueError:
            return _norm(typed) == _norm(expected)
        if expected.strip().endswith("%") and not typed.strip().endswith("%"):
            return _same(a, b) or _same(a / 100, b)  # a 50% gap takes 0.5, and 50 with its % left off
        return _same(a, b)  # a percent is a hundredth: 10% fills a 0.1 gap, never a 10 or a 0.01 one
    return _norm(typed) == _norm(expected)


def _value(number: str) -> float:
    """A number's value, a percent as the fraction it is (10% is 0.1)."""
    text = number.strip().replace(" ", "").replace("−", "-").replace(",", ".")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def _same(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
