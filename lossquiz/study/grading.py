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


ABS_FLOOR = 1e-3  # an answer this close is right whatever the value (rounding a value near 0)
EASY_FACTOR = 0.5  # Easy only when under half the card's usual time...
EASY_HISTORY = 3  # ...measured over at least this many earlier right answers
MAX_ANSWER_CHARS = 64
_THOUSANDS = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d*)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+([eE][+-]?\d+)?$")


def ambiguous_comma(text: str) -> bool:
    """`1,595`: one comma before three digits and no point is a decimal comma (1.595) to half the
    world and a thousands separator (1595) to the other half, so it is asked again, not guessed."""
    text = text.strip().replace("−", "-")
    return bool(_THOUSANDS.match(text)) and text.count(",") == 1 and "." not in text


def number_hint(text: str) -> str:
    """What to say when `text` is not read as a number."""
    if ambiguous_comma(text):
        plain = text.strip()
        point, whole = plain.replace(",", "."), plain.replace(",", "")
        return f"{plain} could be {point} or {whole}: type it with a point, or without the comma"
    plain = text.strip().replace("−", "-")
    if _NUMBER.match(plain) and not math.isfinite(float(plain)):  # 1e999 is a number, just not a float
        return f"{plain} is too large to be an answer: type a number such as 0.25, 3/4 or 1e-3"
    return "type a number such as 0.25, 3/4 or 1e-3 (or s, u, q)"


def _commas(text: str) -> str | None:
    """1,000,000 (thousands) -> 1000000; 0,25 (a decimal comma) -> 0.25; 1,595 (either) or any
    other comma -> None."""
    if "," not in text:
        return text
    if ambiguous_comma(text):
        return None
    if _THOUSANDS.match(text):
        return text.replace(",", "")
    if _DECIMAL_COMMA.match(text):
        return text.replace(",", ".")
    return None


def is_correct(answer: float, expected: float, tolerance: float, *, typed: str | None = None) -> bool:
    """Within `tolerance` relative to the value (0.01 = 1%), or within ABS_FLOOR of it — or, when
    the answer was typed with two or more decimals, the value correctly rounded to those decimals
    (a card that says "to 2 decimal places" accepts 0.08 for 0.0833).

    Relative, so a near-zero value is not passed by typing 0 (an absolute ±0.01 was 20% of
    some values); the small floor lets a value near zero be typed to three decimals.
    """
    if abs(answer - expected) <= max(tolerance * abs(expected), ABS_FLOOR):
        return True
    decimals = typed_decimals(typed) if typed is not None else 0
    return decimals >= 2 and abs(answer - expected) <= 0.5 * 10.0**-decimals * (1 + 1e-9)


def typed_decimals(text: str) -> int:
    """How many decimals a plain decimal answer was typed with (0.08 -> 2; 1e-3, 3/4 -> 0)."""
    match = re.fullmatch(r"\s*[+-]?\d*[.,](\d+)\s*", text)
    return len(match.group(1)) if match else 0


def auto_rating(correct: bool, seconds: float, limit: float, history_ms: list[int] | None = None) -> int:
    """Wrong → Again (1); right but over the limit → Hard (2); right → Good (3).

    Easy (4) only when clearly fast for this card: under half the median of its last right
    answers (at least EASY_HISTORY of them). A fixed fraction of the time limit made nearly every
    right arithmetic answer Easy (4-7 s of 60 s), sending a card seen once away for a week.
    """
    if not correct:
        return 1
    if limit > 0 and seconds > limit:
        return 2
    past = sorted(history_ms or [])
    if len(past) >= EASY_HISTORY:
        median = past[len(past) // 2] if len(past) % 2 else (past[len(past) // 2 - 1] + past[len(past) // 2]) / 2
        if seconds * 1000 < EASY_FACTOR * median:
            return 4
    return 3
