"""`card info|suspend|unsuspend|reset`, `due` and `config`."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lossquiz.ui.console import inline

if TYPE_CHECKING:
    from lossquiz.progress.cards_info import CardInfo

_RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def _local(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


def _until(stamp: str, now: datetime) -> str:
    """`in 7m`, or once the time has passed `due now` / `overdue 29m` (not `in 1m` for a past time)."""
    from datetime import timedelta

    from lossquiz.clock import format_interval

    left = datetime.fromisoformat(stamp) - now
    if left >= timedelta(0):
        return f"in {format_interval(left)}"
    return "due now" if -left < timedelta(minutes=1) else f"overdue {format_interval(-left)}"


def card_info(info: CardInfo, now: datetime) -> RenderableType:
    """The card's state, memory and every review."""
    head = Text.assemble((info.id, "bold"), f" — {info.title}")
    flags = [info.state] + (["suspended"] if info.suspended else []) + (["leech"] if info.leech else [])
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("state", " · ".join(flags))
    table.add_row("lapses", str(info.lapses))
    table.add_row("stability", "—" if info.stability is None else f"{info.stability:.2f} days")
    table.add_row("difficulty", "—" if info.difficulty is None else f"{info.difficulty:.2f} (1–10)")
    recall = "—" if info.retrievability is None else f"{info.retrievability * 100:.0f}%"
    if info.seen_today:  # 100% after an Again minutes ago reads as a contradiction unless said why
        recall += " (seen today: FSRS counts recall in whole study days)"
    table.add_row("recall now", recall)
    due = "— (new)" if info.due is None else f"{_local(info.due)} ({_until(info.due, now)})"
    table.add_row("next due", due)
    history = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("when", "rating", "mode", "time"):
        history.add_column(column)
    for at, rating, mode, cram, undone, ms in info.reviews:
        marks = [word for word, on in (("cram", cram), ("undone", undone)) if on]
        note = f" ({', '.join(marks)})" if marks else ""
        history.add_row(_local(at), _RATINGS.get(rating, "?") + note, mode, f"{ms / 1000:.1f} s")
    parts: list[RenderableType] = [head, table, Text("")]
    parts.append(history if info.reviews else Text("no reviews yet", style="dim"))
    if info.leech and not info.suspended:
        parts.append(inline(f"leech: `lossquiz card suspend {info.id}` sets it aside", style="yellow"))
    return Group(*parts)


def changed(slug: str, action: str) -> Text:
    """One line saying what `card suspend|unsuspend|reset` did (or that it had nothing to do)."""
    said = {
        "suspend": "suspended: left out of drills until `lossquiz card unsuspend {id}`",
        "unsuspend": "unsuspended: back in drills with its schedule",
        "reset": "reset: its schedule starts again as a new card (history kept)",
        "already new": "is already new: nothing to reset",
        "already suspended": "is already suspended: `lossquiz card unsuspend {id}` brings it back",
        "not suspended": "is not suspended: nothing to do",
    }[action]
    return inline(f"{slug} {said.format(id=slug)}")


def config_table(cfg: Any, keys: Any) -> RenderableType:
    """Each setting, its value, where it came from, and what it means."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("setting", "value", "source", "meaning"):
        table.add_column(column)
    for key in keys:
        value = cfg.values[key.name]
        shown = (
            "—"
            if value.value is None
            else str(value.value).lower()
            if key.kind is bool
            else f"{value.value:g}"
            if isinstance(value.value, float)
            else str(value.value)
        )
        table.add_row(key.name, shown, value.source, Text(key.help, style="dim"))
    exists = "" if cfg.path.is_file() else " (not created yet)"
    return Group(Text(f"config file: {cfg.path}{exists}"), table)
