"""`history export|import`: what was written or merged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.progress.history import ExportCounts, ImportResult


def exported(counts: ExportCounts, path: str) -> Text:
    """`exported 120 reviews, 6 cards, 9 sessions to FILE`."""
    return Text(f"exported {counts.reviews} reviews, {counts.cards} cards, {counts.sessions} sessions to {path}")


def imported(result: ImportResult, path: str) -> Text:
    """What an import added, skipped and rebuilt."""
    text = Text(f"imported {path}: {result.reviews_added} reviews added")
    if result.reviews_present:
        text.append(f", {result.reviews_present} already present (skipped)")
    text.append(f"; {result.cards_added} new cards, {result.sessions_added} sessions")
    text.append(f"; {result.cards_rebuilt} card schedules rebuilt from the merged log")
    return text


# -- show --plot (plotext draws; imported only here) ------------------------------------------
