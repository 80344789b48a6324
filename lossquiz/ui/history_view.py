"""`history export|import`: what was written or merged."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from lossquiz.numbers import counted

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.progress.history import ExportCounts, ImportResult


def exported(counts: ExportCounts, path: str, *, deck: str = "") -> Text:
    """`exported 120 reviews, 6 cards, 9 sessions of the built-in deck to FILE`."""
    which = f"deck {deck}" if deck else "the built-in deck"
    return Text(
        f"exported {counted(counts.reviews, 'review')}, {counted(counts.cards, 'card')}, "
        f"{counted(counts.sessions, 'session')} "
        f"of {which} to {path}"
    )


def _listed(counts: dict[str, int]) -> tuple[str, str | None]:
    """`/home/me/mydeck (12 reviews), the built-in deck (3 reviews)`, and a deck path to show in an example."""
    listed = ", ".join(f"{deck or 'the built-in deck'} ({counted(n, 'review')})" for deck, n in sorted(counts.items()))
    return listed, next((d for d in sorted(counts) if d), None)


def other_decks(counts: dict[str, int]) -> str:
    """The note after an export: which other decks have reviews, and how to export them."""
    listed, example = _listed(counts)
    how = f"`lossquiz history export --deck {example} FILE`" if example else "`lossquiz history export FILE`"
    return f"note: other decks have reviews too, not in this file: {listed}; export each with {how}"


def other_decks_for_stats(counts: dict[str, int]) -> str:
    """The note under an empty `stats`: the decks that do have reviews (after importing one's history, say)."""
    listed, example = _listed(counts)
    how = f"lossquiz stats --deck {example}" if example else "lossquiz stats"
    return f"note: other decks have reviews: {listed}; see them with {how}"


def imported(result: ImportResult, path: str) -> Text:
    """What an import added, skipped and rebuilt."""
    # The cards the added reviews belong to, not every card line of the file: an export lists
    # the whole deck, and "273 card schedules rebuilt" for 17 reviews of 3 cards misleads.
    cards = result.cards_reviewed
    text = Text(f"imported {path}: {counted(result.reviews_added, 'review')} added to {counted(cards, 'card')}")
    if result.reviews_present:
        text.append(f", {result.reviews_present} already present (skipped)")
    if result.sessions_added:
        text.append(f"; {counted(result.sessions_added, 'session')}")
    if cards:
        text.append(
            f"; {'its' if cards == 1 else 'their'} schedule{'s' if cards > 1 else ''} rebuilt from the merged log"
        )
    return text


# -- show --plot (plotext draws; imported only here) ------------------------------------------
