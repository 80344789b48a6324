"""`stats`: progress figures, forecast, heatmap, topics and weak spots."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from rich.console import Group, RenderableType
from rich.text import Span, Text

from lossquiz.numbers import counted
from lossquiz.ui.console import Phrases, inline
from lossquiz.ui.grid import Boxed, Cell, Column, Fitted, Grid

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from datetime import date

    from lossquiz.progress.stats import SchedulerInUse, Stats


HEAT_GLYPHS = ("·", "░", "▒", "▓", "█")  # readable without colour too
HEAT_STYLES = ("dim", "green", "green", "bold green", "bold green")
BAR_WIDTH = 30


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _day(day: date, today: date) -> str:
    if day == today:
        return "today"
    return f"{day:%a} {day.day} {day:%b}"


def stats_empty(s: Stats) -> RenderableType:
    """The kind message when there is no history yet."""
    scope = f" in {', '.join(s.topics_filter)}" if s.topics_filter else ""
    text = Text(f"No reviews yet{scope} — your progress starts with your first drill.\n")
    text.append(f"{s.cards_total} cards are waiting. Start with ")
    text.append("lossquiz drill" + "".join(f" --topic {t}" for t in s.topics_filter), style="bold")
    text.append("; come back here afterwards to see what you know.\n")
    text.append(f"scheduler: {scheduler_in_use(s.scheduler)} · target retention {target_retention(s.scheduler)}")
    return text


def stats_view(s: Stats) -> RenderableType:
    """Every figure of `lossquiz stats`: summary, forecast, heatmap, topics, weakest cards."""
    parts: list[RenderableType] = [_stats_summary(s), Text(""), _forecast(s), Text(""), _heatmap(s)]
    parts += [Text(""), _topic_table(s)]
    if s.weakest:  # hidden until a card has been forgotten
        parts += [Text(""), _weakest_table(s)]
    if any(t.seen_today for t in s.topics):
        parts.append(_seen_today_note(s))
    return Group(*parts)


def _recall(value: float | None, seen_today: bool) -> str:
    """`seen today` rather than the 100% FSRS gives a card on the study day of any review."""
    return "seen today" if seen_today else _pct(value)


def _seen_today_note(s: Stats) -> Text:
    """Why a card failed minutes ago is not shown at 100% recall: FSRS counts whole study days."""
    weak = "; lapses and failed (7d) say what is weak" if s.weakest else ""
    return Text(
        "recall now counts whole study days, as FSRS does: 100% on the day of a review,\n"
        f"whatever the answer (seen today){weak}",
        style="dim",
    )


def _stats_summary(s: Stats) -> RenderableType:
    rows: list[list[Cell]] = []
    counts = (s.cards_total, s.cards_new, s.cards_learning, s.cards_relearning, s.cards_review)
    states = ("total", "new", "learning", "relearning", "review")
    # A state no card is in is left out (`--json` has every count): with all five the row wrapped at 80 columns.
    phrases = [f"{n} {what}" for n, what in zip(counts, states, strict=True) if n or what == "total"]
    rows.append(["cards", Phrases(phrases)])  # wraps between counts, never between a count and its noun
    rows.append(["due", f"{s.due_now} now · {s.due_today} today"])
    kinds = [f"{n} {what}" for n, what in ((s.reviews_cram, "cram"), (s.reviews_practice, "practice")) if n]
    extra = f" ({', '.join(kinds)})" if kinds else ""
    rows.append(["reviews", f"{s.reviews_today} today · {s.reviews_total} in all{extra}"])
    rows.append(["streak", f"{s.streak} day{'s' if s.streak != 1 else ''}"])
    if s.retention_reviews:
        split = " · ".join(
            f"{name} {_pct(p / n)} ({p}/{n})"
            for name, (p, n) in (("young", s.retention_young), ("mature", s.retention_mature))
            if n
        )
        retention = f"{_pct(s.retention)} over the last {s.retention_window} days · {split}"
    else:
        retention = f"— (no reviews of learned cards in the last {s.retention_window} days)"
    rows.append(["true retention", retention])
    if s.leeches:
        shown = ", ".join(s.leeches[:5]) + (" …" if len(s.leeches) > 5 else "")
        rows.append(["leeches", inline(f"{len(s.leeches)} ({shown}) — `lossquiz card suspend ID` sets one aside")])
    if s.suspended:
        rows.append(["suspended", str(s.suspended)])
    rows.append(["target retention", target_retention(s.scheduler)])
    rows.append(["mean answer time", "—" if s.mean_seconds is None else f"{s.mean_seconds:.1f} s (drill answers)"])
    rows.append(["scheduler", scheduler_in_use(s.scheduler)])
    title = f"progress · {s.today:%a} {s.today.day} {s.today:%b %Y}"
    if s.topics_filter:
        title += f" · {', '.join(s.topics_filter)}"
    return Boxed(Grid([Column(style="bold"), Column()], rows), title)


def _forecast(s: Stats) -> RenderableType:
    rows: list[list[Cell]] = []
    top = max((d.count for d in s.forecast), default=0)
    for i, d in enumerate(s.forecast):
        bar = "█" * (max(1, round(BAR_WIDTH * d.count / top)) if d.count else 0)
        note = "  (overdue included)" if i == 0 and s.due_now else ""
        rows.append([_day(d.day, s.today), str(d.count), Text(bar, style="cyan").append(note, style="dim")])
    table = Grid([Column(), Column(justify="right"), Column()], rows)
    return Group(Text(f"due, next {len(s.forecast)} days", style="bold"), table)


def _heatmap(s: Stats) -> RenderableType:
    """A contribution graph: one column a week, Monday on top, darker = more reviews."""
    days = list(s.heatmap)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    top = max((d.count for d in days), default=0)
    rows = []
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        # Each row's characters and spans at once: a Text.append per cell (its control-code check
        # and span bookkeeping) was most of drawing the view.
        plain, spans = [f"{name:<4}"], []
        at = 4
        for week in weeks:
            if weekday < len(week):
                count = week[weekday].count
                level = 0 if not count else min(4, 1 + (3 * count) // max(top, 1))
                spans.append(Span(at, at + 1, HEAT_STYLES[level]))
                plain.append(HEAT_GLYPHS[level] + " ")
            else:
                plain.append("  ")
            at += 2
        rows.append(Text("".join(plain), spans=spans))
    legend = Text("    less ", style="dim")
    for glyph, style in zip(HEAT_GLYPHS, HEAT_STYLES, strict=True):
        legend.append(glyph, style=style)
        legend.append(" ")
    legend.append(f"more   (busiest day: {counted(top, 'review')})", style="dim")
    title = Text(f"reviews, last {len(weeks)} weeks", style="bold")
    return Fitted(Text("\n").join([title, _month_line(weeks), *rows, legend]))


def _month_line(weeks: list[list[Any]]) -> Text:
    """Month names over the week column holding each month's 1st (a later name wins a tight spot).

    A column is named by its last day: the week a month begins in, even when that week is
    this one (labelling by Monday left the current month unnamed until its first Monday)."""
    cells = [" "] * (2 * len(weeks) + 3)
    previous = None
    last_label = -10
    for i, week in enumerate(weeks):
        month = week[-1].day.month
        if month != previous:
            if 2 * i < last_label + 4:  # the previous name would run into this one
                cells[last_label : last_label + 3] = [" "] * 3
            cells[2 * i : 2 * i + 3] = list(f"{week[-1].day:%b}")
            last_label = 2 * i
        previous = month
    return Text("    " + "".join(cells).rstrip(), style="dim")


def _topic_table(s: Stats) -> RenderableType:
    columns = [Column(name, justify=justify) for name, justify in TOPIC_COLUMNS]
    rows: list[list[Cell]] = []
    for t in s.topics:
        accuracy = f"{t.correct}/{t.graded} · {_pct(t.accuracy)}" if t.graded else "—"
        every_seen_today = bool(t.seen) and t.seen_today == t.seen
        rows.append([t.topic, f"{t.seen}/{t.cards}", _recall(t.recall, every_seen_today), accuracy])
    return Group(Text("by topic", style="bold"), Grid(columns, rows, header_style="bold"))


TOPIC_COLUMNS: tuple[tuple[str, Literal["left", "right"]], ...] = (
    ("topic", "left"),
    ("seen", "right"),
    ("recall now", "right"),
    ("graded right", "right"),
)


def _weakest_table(s: Stats) -> RenderableType:
    # The id is what the user types next, so it is never cut; the command is said once below
    # instead of per row (per row it wrapped, and was cut, at 80 columns).
    width = max((len(w.id) + (8 if w.leech else 0) for w in s.weakest), default=4)
    columns = [Column("card", no_wrap=True, min_width=width)]
    columns += [Column(name, justify="right", no_wrap=True) for name in ("lapses", "failed (7d)", "recall now")]
    rows: list[list[Cell]] = [
        [Text(w.id + (" (leech)" if w.leech else "")), str(w.lapses), str(w.failures), _recall(w.recall, w.seen_today)]
        for w in s.weakest
    ]
    first = s.weakest[0].command if s.weakest else "lossquiz drill --card CARD"
    table = Grid(columns, rows, header_style="bold")
    return Group(Text("weakest cards", style="bold"), table, Text(f"drill one now: {first}", style="dim"))


def scheduler_in_use(used: SchedulerInUse) -> str:
    """One line: default FSRS parameters, or fitted on how many reviews and when (local date)."""
    if not used.fitted:
        return f"{used.algorithm} default parameters"
    when = f" at {used.fitted_at.astimezone():%Y-%m-%d}" if used.fitted_at else ""
    return f"{used.algorithm} parameters fitted on {used.fitted_on_reviews or 0:,} reviews{when} (lossquiz optimize)"


def target_retention(used: SchedulerInUse) -> str:
    """FSRS's desired retention, which drills aim for, as a percentage beside true retention, and its source."""
    source = "set by lossquiz optimize --apply-retention" if used.retention_stored else "default"
    return f"{used.desired_retention * 100:.4g}% ({source})"
