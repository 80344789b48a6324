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
    # The cards the added reviews belong to, not every card line of the file: an export lists
    # the whole deck, and "273 card schedules rebuilt" for 17 reviews of 3 cards misleads.
    cards = result.cards_reviewed
    text = Text(f"imported {path}: {_n(result.reviews_added, 'review')} added to {_n(cards, 'card')}")
    if result.reviews_present:
        text.append(f", {result.reviews_present} already present (skipped)")
    if result.sessions_added:
        text.append(f"; {_n(result.sessions_added, 'session')}")
    if cards:
        text.append(
            f"; {'its' if cards == 1 else 'their'} schedule{'s' if cards > 1 else ''} rebuilt from the merged log"
        )
    return text


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


# -- show --plot (plotext draws; imported only here) ------------------------------------------
