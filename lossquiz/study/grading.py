"""Pure grading helpers: the number a numeric card asks for, and parsing typed answers."""

from __future__ import annotations

import math
import re
from typing import Any

from lossquiz.deck.cards import Card

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def graded_value(card: Card, value: Any) -> float:
    """The scalar a numeric/gradient card grades against (value, or value[card.grade])."""
    if isinstance(value, dict):
        if card.grade is None or card.grade not in value:
            parts = ", ".join(value)
            raise ValueError(f"value has parts ({parts}); the card must name one in 'grade'")
        value = value[card.grade]
    elif card.grade is not None:
        raise ValueError(f"card grades '{card.grade}' but the snippet value has no parts")
    if isinstance(value, list):
        raise ValueError("a numeric card needs a scalar value, the snippet gives a tensor")
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def parse_number(text: str) -> float | None:
    """A typed answer as a float: decimal, scientific, or a simple fraction (3/4, -1/8).

    Returns None for anything else, so the prompt can ask again.
    """
    text = text.strip().replace("−", "-")
    if len(text) > MAX_ANSWER_CHARS:  # a pasted 5,000-digit number is not an answer
        return None
    plain = _commas(text)
    if plain is None:
        return None
    text = plain
    try:
        if _NUMBER.match(text):
            value = float(text)
        elif text.count("/") == 1:
            num, den = (p.strip() for p in text.split("/"))
            if not (_NUMBER.match(num) and _NUMBER.match(den)) or float(den) == 0:
                return None
            # floats, not Fraction: Fraction("1e99999999") builds a 100-million-digit integer
            value = float(num) / float(den)
        else:
            return None
    except (OverflowError, ValueError, ZeroDivisionError):
        return None
    return value if math.isfinite(value) else None


MAX_ANSWER_CHARS = 64
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")


def _commas(text: str) -> str | None:
    """1,000 (thousands) -> 1000; 0,25 (a decimal comma) -> 0.25; any other comma -> None."""
    if "," not in text:
        return text
    if _THOUSANDS.match(text):
        return text.replace(",", "")
    if _DECIMAL_COMMA.match(text):
        return text.replace(",", ".")
    return None


def is_correct(answer: float, expected: float, tolerance: float) -> bool:
    """Within the card's absolute tolerance, or 1% of the value for large numbers."""
    return abs(answer - expected) <= max(tolerance, 0.01 * abs(expected))


def auto_rating(correct: bool, seconds: float, limit: float) -> int:
    """Wrong → Again (1); right but over the limit → Hard (2); under a third → Easy (4); else Good (3)."""
    if not correct:
        return 1
    if limit > 0 and seconds > limit:
        return 2
    if limit > 0 and seconds < limit / 3:
        return 4
    return 3
