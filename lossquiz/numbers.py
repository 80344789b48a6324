"""Numbers as people read them: shared by the terminal (render) and the exports."""

from __future__ import annotations

from typing import Any


def fmt(value: Any, digits: int = 4) -> str:
    """Numbers rounded for reading; nested lists and dicts kept readable."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value == 0 or not 1e-3 <= abs(value) < 1e6:
            return f"{value:.{digits}g}"
        return f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v, digits) for v in value) + "]"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {fmt(v, digits)}" for k, v in value.items())
    if value is None:
        return "non-finite"
    return str(value)
