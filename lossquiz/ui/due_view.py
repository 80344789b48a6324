"""`lossquiz due`: one plain line for a shell prompt, so it imports no Rich at all."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lossquiz.progress.cards_info import DueLine


def due_text(line: DueLine, now: datetime) -> str:
    """`3 due · 5 new today · next in 2h`."""
    from lossquiz.clock import format_interval

    parts = [f"{line.due} due", f"{line.new_left} new today"]
    if line.next_due:
        parts.append(f"next in {format_interval(datetime.fromisoformat(line.next_due) - now)}")
    return " · ".join(parts)
