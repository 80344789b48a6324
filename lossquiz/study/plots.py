"""`show --plot`: curves computed by a card's snippet (its optional `plot()`), as checked data.

The snippet runs in the worker like any other; this module only finds which cards have a
plot (statically, without torch), asks the worker for the data and validates its shape.
Drawing is render.py's job (with plotext).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lossquiz.deck.cards import Card, Deck
from lossquiz.deck.files import snippet_source
from lossquiz.errors import LossquizError, SnippetError
from lossquiz.numbers import NOISE
from lossquiz.worker.client import SnippetRunner

if TYPE_CHECKING:
    from lossquiz.deck.trust import TrustedDeck

MAX_SERIES = 8  # beyond this a terminal plot is unreadable


class NoPlotError(LossquizError):
    """The card has no plot (a usage error, like an unknown card)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Series:
    """One named curve; y is None where the value is not finite (a gap)."""

    name: str
    x: tuple[float, ...]
    y: tuple[float | None, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {"name": self.name, "x": list(self.x), "y": list(self.y)}


@dataclass(frozen=True, slots=True)
class Plot:
    """One picture: labelled axes and named curves, with an optional one-line note."""

    title: str
    x_label: str
    y_label: str
    series: tuple[Series, ...]
    note: str | None = None
    y_lim: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `show --plot --json` shape of one plot."""
        return {
            "title": self.title,
            "x_label": self.x_label,
            "y_label": self.y_label,
            "series": [s.to_dict() for s in self.series],
            "note": self.note,
            "y_lim": list(self.y_lim) if self.y_lim else None,
        }


def has_plot(path: Path) -> bool:
    """Whether a snippet file defines a top-level plot() (parsed, not imported: no torch)."""
    try:
        tree = ast.parse(snippet_source(path), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "plot" for node in tree.body)


def plot_cards(deck: Deck) -> list[Card]:
    """The cards whose snippet has a plot, in curriculum order."""
    found: dict[str, bool] = {}
    chosen = []
    for card in deck.cards:
        path = deck.snippet_path(card)
        if path is None:
            continue
        if card.snippet not in found:
            found[str(card.snippet)] = has_plot(path)
        if found[str(card.snippet)]:
            chosen.append(card)
    return chosen


def _some_with_a_plot(deck: Deck) -> str:
    """The first card with a plot in each topic: all 88 ids ran to 1,600 characters on one line."""
    cards = plot_cards(deck)
    if not cards:
        return "cards with a plot: none in this deck"
    first: dict[str, str] = {}
    for c in cards:
        first.setdefault(c.topic, c.id)
    if len(first) == len(cards):
        return f"cards with a plot: {', '.join(first.values())}"
    return f"{len(cards)} cards have one; the first in each topic: {', '.join(first.values())}"


def require_plot(deck: Deck, card: Card) -> Path:
    """The card's snippet file if it defines plot(); NoPlotError (one line) if not."""
    path = deck.snippet_path(card)
    if path is None or not has_plot(path):
        why = "no snippet" if path is None else f"snippet '{card.snippet}' defines no plot()"
        raise NoPlotError(f"card '{card.id}' has no plot ({why}); {_some_with_a_plot(deck)}")
    return path


def card_plots(
    deck: Deck, card: Card, *, runner: SnippetRunner | None = None, trusted: TrustedDeck | None = None
) -> list[Plot]:
    """Run the card's snippet's plot() in the worker (of `runner`, else one for `trusted`)."""
    path = require_plot(deck, card)
    if runner is not None:
        outcome = runner.plot(path)
    else:
        with SnippetRunner(trusted) as own:
            outcome = own.plot(path)
    if outcome.data is None:
        raise SnippetError(f"snippet '{card.snippet}' plot() failed: {outcome.error}")
    try:
        return parse_plots(outcome.data.get("plots"))
    except ValueError as e:
        raise SnippetError(f"snippet '{card.snippet}' plot() returned bad data: {e}") from None


def parse_plots(data: Any) -> list[Plot]:
    """Validate what a snippet's plot() returned; ValueError names the first problem."""
    if not isinstance(data, list) or not data:
        raise ValueError("expected a plot dict or a non-empty list of them")
    return [_plot(item, i) for i, item in enumerate(data)]


def _plot(item: Any, index: int) -> Plot:
    where = f"plot {index + 1}"
    if not isinstance(item, dict):
        raise ValueError(f"{where}: expected a dict, got {type(item).__name__}")
    for key in ("title", "x_label", "y_label"):
        if not isinstance(item.get(key), str):
            raise ValueError(f"{where}: '{key}' must be a string")
    raw_series = item.get("series")
    if not isinstance(raw_series, list) or not 1 <= len(raw_series) <= MAX_SERIES:
        raise ValueError(f"{where}: 'series' must be a list of 1 to {MAX_SERIES} curves")
    series = tuple(_series(s, f"{where}, series {j + 1}") for j, s in enumerate(raw_series))
    note = item.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}: 'note' must be a string")
    y_lim = item.get("y_lim")
    if y_lim is not None:
        if not (isinstance(y_lim, list) and len(y_lim) == 2 and all(_finite(v) for v in y_lim) and y_lim[0] < y_lim[1]):
            raise ValueError(f"{where}: 'y_lim' must be [low, high]")
        y_lim = (float(y_lim[0]), float(y_lim[1]))
    return Plot(item["title"], item["x_label"], item["y_label"], series, note, y_lim)


def _series(raw: Any, where: str) -> Series:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ValueError(f"{where}: expected {{'name': str, 'x': [...], 'y': [...]}}")
    x, y = raw.get("x"), raw.get("y")
    if not isinstance(x, list) or not isinstance(y, list) or len(x) != len(y) or len(x) < 2:
        raise ValueError(f"{where} ('{raw['name']}'): 'x' and 'y' must be lists of equal length (at least 2)")
    if not all(_finite(v) for v in x):
        raise ValueError(f"{where} ('{raw['name']}'): 'x' must hold finite numbers")
    if not all(v is None or _finite(v) for v in y):
        raise ValueError(f"{where} ('{raw['name']}'): 'y' must hold numbers")
    if all(v is None for v in y):
        raise ValueError(f"{where} ('{raw['name']}'): no finite value to draw")
    return Series(raw["name"], tuple(_readable(v) for v in x), tuple(None if v is None else _readable(v) for v in y))


def _readable(v: float) -> float:
    """Six significant digits and float noise as 0, as `show` prints numbers: -2.9749999046325684
    is -2.975, -0.09999996 is -0.1 and -4.47e-08 (float32's steps summed) is 0 — in --json too."""
    return 0.0 if abs(v) < NOISE else float(f"{float(v):.6g}")


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
