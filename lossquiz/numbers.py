"""Numbers as people read them: shared by the terminal (render) and the exports."""

from __future__ import annotations

from typing import Any

NOISE = 1e-6  # below this a float32 result is rounding noise (-1.192e-07 is float32's epsilon)


def fmt(value: Any, digits: int = 5) -> str:
    """Numbers rounded for reading: no `-0`, float noise as 0 (0.09999996 -> 0.1), lists and dicts kept readable."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if abs(value) < NOISE:
            return "0"
        if not 1 <= abs(value) < 1e6:  # below 1, significant digits: 0.003097 stays 0.003097, not 0.0031
            text = f"{value:.{digits}g}"
        else:
            text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "0", "") else text
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {fmt(v, digits)}" for k, v in value.items())
    if value is None:
        return "non-finite"
    return str(value)


def counted(count: int, noun: str) -> str:
    """`1 card`, `3 cards`: a count with its noun, plural unless it is one."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
