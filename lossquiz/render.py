"""Plain data -> Rich renderables. The only module besides cli.py that imports rich."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lossquiz.cards import Card
from lossquiz.numbers import fmt

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from datetime import date

    from lossquiz.check import SnippetReport
    from lossquiz.history import ExportCounts, ImportResult
    from lossquiz.optimizing import Fit, InUse
    from lossquiz.plots import Plot
    from lossquiz.stats import SchedulerInUse, Stats

KIND_STYLE = {"concept": "cyan", "numeric": "magenta", "gradient": "yellow", "quickfire": "green"}


def card_table(cards: Iterable[Card]) -> Text:
    """The deck as aligned columns: id, title, topic, kind, snippet.

    Plain padded lines rather than a rich Table: laying out a 100-row Table costs more than
    everything else `list` does, and the columns need no wrapping.
    """
    from rich.cells import cell_len

    rows = [(c.id, c.title, c.topic, c.kind, c.snippet or "") for c in cards]
    header = ("id", "title", "topic", "kind", "snippet")
    widths = [max(cell_len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    text = Text()
    for n, row in enumerate([header, *rows]):
        for k, cell in enumerate(row):
            pad = " " * (widths[k] - cell_len(cell) + 2) if k < len(row) - 1 else ""
            style = "bold" if n == 0 else KIND_STYLE.get(cell, "") if k == 3 else ""
            text.append(cell, style=style)
            text.append(pad)
        text.append("\n")
    text.rstrip()
    return text


def markdown(text: str, *, plain: bool = False) -> RenderableType:
    """Card Markdown, rendered; `plain` (output is not a terminal) prints the source as is.

    markdown-it and Rich's Markdown cost ~0.1 s to import: piped output skips them.
    """
    from lossquiz.mathtext import for_terminal

    text = for_terminal(text)  # $…$ math from imported notes as unicode
    if plain:
        return Text(text)
    from rich.markdown import Markdown

    # Each **Term** = … line keeps its line break.
    return Markdown(re.sub(r"\n(?=\*\*[^*\n]+\*\*\s*[=:(—–-])", "  \n", text))


def card_header(card: Card, *, position: str = "") -> Text:
    """`huber · regression · numeric` with an optional position like `3/12`."""
    head = Text()
    if position:
        head.append(f"{position}  ", style="dim")
    head.append(card.name, style="bold")
    head.append(f"  {card.id} · {card.topic} · ", style="dim")
    head.append(card.kind, style=KIND_STYLE.get(card.kind, ""))
    return head


def formula(card: Card) -> RenderableType | None:
    """The card's formula as readable unicode, framed."""
    if not card.formula:
        return None
    from lossquiz.latex import to_unicode

    return Panel(Text(to_unicode(card.formula)), title="formula", title_align="left", expand=False)


def key_points(card: Card) -> RenderableType:
    """The checkpoints a complete answer must hit."""
    text = Text()
    for i, point in enumerate(card.key_points):
        text.append(("\n" if i else "") + "  • " + point)
    return text


def answer(card: Card, *, plain: bool = False) -> RenderableType:
    """Answer, key points and formula: what a reveal shows."""
    parts: list[RenderableType] = [
        markdown(card.answer, plain=plain),
        Text("Key points", style="bold"),
        key_points(card),
    ]
    box = formula(card)
    if box is not None:
        parts.append(box)
    return Group(*parts)


def source(code: str, name: str, *, plain: bool = False) -> RenderableType:
    """The snippet's source, syntax-highlighted (as plain text when output is not a terminal:
    compiling Pygments' Python lexer costs ~0.1 s for colours nobody would see)."""
    title = f"snippets/{name}.py"
    if plain:
        return Panel(Text(code.rstrip("\n")), title=title, title_align="left")
    from rich.syntax import Syntax

    return Panel(Syntax(code, "python", line_numbers=True, word_wrap=True), title=title, title_align="left")


def worked_example(example: dict[str, Any], *, label: str = "worked example") -> RenderableType:
    """Inputs, every named step, the value and whether the reference agrees."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in example["inputs"].items():
        table.add_row(Text(name), Text(fmt(value)))  # Text: "[1, 2]" is data, not Rich markup
    table.add_row("", "")
    for step in example["steps"]:
        table.add_row(Text(step["name"], style="cyan"), Text(fmt(step["value"])))
    table.add_row(Text("value", style="bold green"), Text(fmt(example["value"], 6), style="bold"))
    ref = example["reference"]
    mark = Text("✓ agrees", style="green") if example["agree"] else Text("✗ DISAGREES", style="bold red")
    table.add_row(
        Text("reference", style="dim"),
        Text.assemble(f"{fmt(ref['value'], 6)}  ({ref['how']})  ", mark),
    )
    return Panel(table, title=label, title_align="left")


def show(
    card: Card, code: str | None, example: dict[str, Any] | None, *, seed: int | None, plain: bool = False
) -> RenderableType:
    """Everything `show` prints for one card (`plain`: no Markdown rendering or highlighting)."""
    parts: list[RenderableType] = [
        card_header(card),
        Text("Question", style="bold"),
        markdown(card.question, plain=plain),
        Text("Answer", style="bold"),
        answer(card, plain=plain),
    ]
    if code is not None and card.snippet:
        parts.append(source(code, card.snippet, plain=plain))
    if example is not None:
        label = "worked example" if seed is None else f"random problem (seed {seed})"
        parts.append(worked_example(example, label=label))
    parts.append(Text(f"source: {card.source}", style="dim"))
    return Group(*parts)


def check_report(reports: list[SnippetReport]) -> RenderableType:
    """One line per snippet, then the failing cases in full."""
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("", "snippet", "cases", "cards"):
        table.add_column(column)
    failures: list[RenderableType] = []
    for r in reports:
        mark = Text("✓", style="green") if r.ok else Text("✗", style="bold red")
        table.add_row(mark, r.snippet, str(r.cases), ", ".join(r.cards))
        if not r.ok:
            failures.append(Text(f"✗ {r.snippet} (cards: {', '.join(r.cards)}): {r.problem}", style="red"))
            if r.case is not None:
                ref = r.case["reference"]
                lines = (
                    f"    inputs: {fmt(r.case['inputs'])}",
                    f"    value: {fmt(r.case['value'], 8)}",
                    f"    reference: {fmt(ref['value'], 8)} ({ref['how']})",
                )
                failures.append(Text("\n".join(lines)))
    passed = sum(r.ok for r in reports)
    cases = sum(r.cases for r in reports)
    style = "green" if passed == len(reports) else "bold red"
    summary = Text(f"{passed}/{len(reports)} snippets agree with their references ({cases} cases)", style=style)
    return Group(table, *failures, summary)


RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLE = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def drill_card(card: Card, position: str, time_limit: float) -> RenderableType:
    """A card as the drill asks it: position, topic, limit, question."""
    limit = f"⏱ {time_limit:g}s" if time_limit > 0 else "untimed"
    head = card_header(card, position=position)
    head.append(f"  {limit}", style="dim")
    return Group(head, markdown(card.question))


def problem(inputs: dict[str, Any], card: Card) -> RenderableType:
    """The random problem's inputs and how the answer is graded."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in inputs.items():
        table.add_row(Text(name), Text(fmt(value)))
    what = f"grading '{card.grade}'; " if card.grade else ""
    rule = Text(f"{what}an answer within ±{card.tolerance:g} (or 1% of the value) is right", style="dim")
    return Group(table, rule)


def graded(
    correct: bool,
    typed: float,
    expected: float,
    card: Card,
    rating: int,
    seconds: float,
    limit: float,
    due: Any,
) -> RenderableType:
    """✓/✗ with the live value, the time taken and the resulting rating."""
    mark = Text("✓ right", style="bold green") if correct else Text("✗ wrong", style="bold red")
    line = Text.assemble(mark, f"  you typed {fmt(typed, 6)}, the live value is {fmt(expected, 6)}")
    timing = f"{seconds:.0f}s" + (f" of {limit:g}s" if limit > 0 else "")
    return Group(line, recorded(rating, due, cram=due is None, extra=timing))


def rating_choices(intervals: dict[Any, Any], *, cram: bool) -> RenderableType:
    """`1 Again 10m · 2 Hard 2d · 3 Good 5d · 4 Easy 12d`."""
    from lossquiz.scheduling import format_interval

    text = Text()
    for i, (rating, delta) in enumerate(sorted(intervals.items(), key=lambda kv: int(kv[0]))):
        n = int(rating)
        text.append(" · " if i else "")
        text.append(f"{n} {RATING_NAMES[n]}", style=RATING_STYLE[n])
        text.append(f" {format_interval(delta)}")
    if cram:
        text.append("   (cram: the schedule will not change)", style="dim")
    return text


def recorded(rating: int, due: Any, *, cram: bool, extra: str = "") -> Text:
    """`recorded Good · next in 5d`."""
    from lossquiz.scheduling import format_interval

    text = Text("recorded ", style="dim")
    text.append(RATING_NAMES[int(rating)], style=RATING_STYLE[int(rating)])
    if extra:
        text.append(f" · {extra}", style="dim")
    if cram or due is None:
        text.append(" · cram: schedule unchanged", style="dim")
    else:
        text.append(f" · next in {format_interval(due)}", style="dim")
    return text


def summary(s: Any, *, interrupted: bool, cram: bool) -> RenderableType:
    """End of session: cards, accuracy, time, what is due next."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("cards answered", str(s.reviews))
    if s.graded:
        table.add_row("numeric accuracy", f"{s.correct}/{s.graded} ({100 * s.correct / s.graded:.0f}%)")
    if s.ratings:
        table.add_row("ratings", " · ".join(f"{RATING_NAMES[k]} {v}" for k, v in sorted(s.ratings.items())))
    table.add_row("time answering", f"{s.seconds / 60:.1f} min" if s.seconds >= 60 else f"{s.seconds:.0f} s")
    table.add_row("due within a day", str(s.due_next_day))
    if s.next_due:
        table.add_row("next due", s.next_due[:16].replace("T", " ") + " UTC")
    title = "session interrupted — everything answered is saved" if interrupted else "session summary"
    if cram:
        title += " (cram: schedule unchanged)"
    return Panel(table, title=title, title_align="left", expand=False)


def nothing_due(s: Any) -> Text:
    """The kind message when the queue is empty."""
    text = Text("Nothing is due right now.")
    if s.next_due:
        text.append(f" Next card due {s.next_due[:16].replace('T', ' ')} UTC.")
    text.append("\nReview ahead with `lossquiz drill --cram`, or raise `--new`.", style="dim")
    return text


def import_summary(result: Any) -> RenderableType:
    """What `import` did: cards, topics, ids kept, repairs, skipped sections, and what next."""
    verb = {"": "created", "updated": "updated", "replaced": "replaced"}[result.replaced]
    lines = [
        Text.assemble(
            ("✓ ", "green"),
            f"{verb} deck {result.deck}: {result.cards} cards from {result.notes.name} in {len(result.files)} files",
        ),
        Text("  topics: " + ", ".join(f"{t} {n}" for t, n in result.topics.items()), style="dim"),
    ]
    if result.replaced:
        ids = f"  ids: {result.kept} kept (progress kept), {len(result.new)} new"
        if result.dropped:
            ids += f", {len(result.dropped)} gone: " + ", ".join(result.dropped)
        lines.append(Text(ids, style="dim"))
    if result.fixed_lines:
        where = ", ".join(str(n) for n in result.fixed_lines[:10]) + (" …" if len(result.fixed_lines) > 10 else "")
        lines.append(Text(f"  repaired broken encoding (mojibake) on line {where}", style="yellow"))
    if result.skipped:
        where = ", ".join(str(line) for line, _ in result.skipped)
        lines.append(
            Text(f"  skipped {len(result.skipped)} introductions with no question (lines {where})", style="dim")
        )
    lines.append(Text(f"next: lossquiz drill --deck {result.deck}", style="bold"))
    return Group(*lines)


def untrusted_drill(reason: str) -> Text:
    """The one line a drill on an untrusted deck says."""
    return Text(f"note: no snippet runs and numeric/gradient cards are left out: {reason}", style="yellow")


def trusted(deck: Any, digest: Any, *, builtin: bool) -> Text:
    """`trust DECK` done: what was trusted."""
    if builtin:
        return Text("the built-in deck is always trusted")
    files = ", ".join(digest.files) if digest.files else "no snippet or practice files yet"
    text = Text.assemble(("✓ ", "green"), f"trusted {deck.resolve()}: {len(digest.files)} files ({files})")
    text.append(f"\n  sha256 {digest.sha256[:16]}…; changing any of them needs `lossquiz trust` again", style="dim")
    return text


def trusted_decks(entries: list[Any]) -> RenderableType:
    """`trust --list`: each trusted deck, its files, when, and whether it changed since."""
    if not entries:
        return Text("No deck is trusted yet (the built-in deck always is). Trust one with `lossquiz trust DECK`.")
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("deck", "files", "trusted at (UTC)", "status"):
        table.add_column(column)
    style = {"ok": "green", "changed": "bold red", "missing": "yellow", "unreadable": "yellow"}
    label = {"ok": "ok", "changed": "changed since: not trusted", "missing": "folder gone"}
    for e in entries:
        table.add_row(
            Text(e.path),
            str(e.files),
            e.trusted_at[:16].replace("T", " "),
            Text(label.get(e.status, e.status), style=style.get(e.status, "")),
        )
    return table


# -- stats and history ------------------------------------------------------------------------

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
    return Group(
        _stats_summary(s),
        Text(""),
        _forecast(s),
        Text(""),
        _heatmap(s),
        Text(""),
        _topic_table(s),
        Text(""),
        _weakest_table(s),
    )


def _stats_summary(s: Stats) -> RenderableType:
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "cards",
        f"{s.cards_total} total · {s.cards_new} new · {s.cards_learning} learning · "
        f"{s.cards_relearning} relearning · {s.cards_review} review",
    )
    table.add_row("due", f"{s.due_now} now · {s.due_today} today")
    kinds = [f"{n} {what}" for n, what in ((s.reviews_cram, "cram"), (s.reviews_practice, "practice")) if n]
    extra = f" ({', '.join(kinds)})" if kinds else ""
    table.add_row("reviews", f"{s.reviews_today} today · {s.reviews_total} in all{extra}")
    table.add_row("streak", f"{s.streak} day{'s' if s.streak != 1 else ''}")
    if s.retention_reviews:
        retention = (
            f"{_pct(s.retention)} over the last {s.retention_window} days "
            f"({s.retention_passed}/{s.retention_reviews} passed)"
        )
    else:
        retention = f"— (no scheduled reviews in the last {s.retention_window} days)"
    table.add_row("true retention", retention)
    table.add_row("target retention", target_retention(s.scheduler))
    table.add_row("mean answer time", "—" if s.mean_seconds is None else f"{s.mean_seconds:.1f} s (drill answers)")
    table.add_row("scheduler", scheduler_in_use(s.scheduler))
    title = f"progress · {s.today:%a} {s.today.day} {s.today:%b %Y}"
    if s.topics_filter:
        title += f" · {', '.join(s.topics_filter)}"
    return Panel(table, title=title, title_align="left", expand=False)


def _forecast(s: Stats) -> RenderableType:
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column()
    table.add_column(justify="right")
    table.add_column()
    top = max((d.count for d in s.forecast), default=0)
    for i, d in enumerate(s.forecast):
        bar = "█" * (max(1, round(BAR_WIDTH * d.count / top)) if d.count else 0)
        note = "  (overdue included)" if i == 0 and s.due_now else ""
        table.add_row(_day(d.day, s.today), str(d.count), Text(bar, style="cyan").append(note, style="dim"))
    return Group(Text(f"due, next {len(s.forecast)} days", style="bold"), table)


def _heatmap(s: Stats) -> RenderableType:
    """A contribution graph: one column a week, Monday on top, darker = more reviews."""
    days = list(s.heatmap)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    top = max((d.count for d in days), default=0)
    rows = [Text(f"{name:<4}") for name in ("Mon", "", "Wed", "", "Fri", "", "Sun")]
    for week in weeks:
        for weekday in range(7):
            if weekday < len(week):
                count = week[weekday].count
                level = 0 if not count else min(4, 1 + (3 * count) // max(top, 1))
                rows[weekday].append(HEAT_GLYPHS[level], style=HEAT_STYLES[level])
                rows[weekday].append(" ")
            else:
                rows[weekday].append("  ")
    legend = Text("    less ", style="dim")
    for glyph, style in zip(HEAT_GLYPHS, HEAT_STYLES, strict=True):
        legend.append(glyph, style=style)
        legend.append(" ")
    legend.append(f"more   (busiest day: {top} reviews)", style="dim")
    title = Text(f"reviews, last {len(weeks)} weeks", style="bold")
    return Group(title, _month_line(weeks), *rows, legend)


def _month_line(weeks: list[list[Any]]) -> Text:
    """Month names over the first week column of each month (a later name wins a tight spot)."""
    cells = [" "] * (2 * len(weeks) + 3)
    previous = None
    last_label = -10
    for i, week in enumerate(weeks):
        month = week[0].day.month
        if month != previous:
            if 2 * i < last_label + 4:  # the previous name would run into this one
                cells[last_label : last_label + 3] = [" "] * 3
            cells[2 * i : 2 * i + 3] = list(f"{week[0].day:%b}")
            last_label = 2 * i
        previous = month
    return Text("    " + "".join(cells).rstrip(), style="dim")


def _topic_table(s: Stats) -> RenderableType:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column, justify in (("topic", "left"), ("seen", "right"), ("recall now", "right"), ("numeric right", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for t in s.topics:
        accuracy = f"{t.correct}/{t.graded} · {_pct(t.accuracy)}" if t.graded else "—"
        table.add_row(t.topic, f"{t.seen}/{t.cards}", _pct(t.recall), accuracy)
    return Group(Text("by topic", style="bold"), table)


def _weakest_table(s: Stats) -> RenderableType:
    if not s.weakest:
        return Text("weakest cards: none seen yet", style="dim")
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column, justify in (("card", "left"), ("lapses", "right"), ("recall now", "right"), ("drill it", "left")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for w in s.weakest:
        table.add_row(Text(w.id), str(w.lapses), _pct(w.recall), Text(w.command, style="bold"))
    return Group(Text("weakest cards", style="bold"), table)


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

PLAIN_MARKERS = ("•", "x", "+", "o", "*", "#", "%", "@")  # told apart without colour


def plot_text(plot: Plot, *, width: int, height: int, color: bool) -> str:
    """One plot drawn by plotext into a string (no terminal needed).

    Without colour (not a TTY, or NO_COLOR) the theme is plotext's colourless "clear" and
    each curve gets its own marker character, so the legend still tells them apart.
    """
    import plotext as plt

    plt.clear_figure()
    plt.plotsize(width, height)
    plt.theme("pro" if color else "clear")
    for i, series in enumerate(plot.series):
        points = [(x, y) for x, y in zip(series.x, series.y, strict=True) if y is not None]
        marker = "braille" if color else PLAIN_MARKERS[i % len(PLAIN_MARKERS)]
        plt.plot([p[0] for p in points], [p[1] for p in points], label=series.name, marker=marker)
    plt.title(plot.title)
    plt.xlabel(plot.x_label)
    plt.ylabel(plot.y_label)
    if plot.y_lim is not None:
        plt.ylim(*plot.y_lim)
    built = str(plt.build())
    return built if color else str(plt.uncolorize(built))  # "clear" still ends lines with a reset code


def plots(card: Card, drawn: list[tuple[Plot, str]]) -> RenderableType:
    """A card's header, then each plot (drawn text) with its note."""
    parts: list[RenderableType] = [card_header(card)]
    for plot, text in drawn:
        parts.append(Text.from_ansi(text, no_wrap=True, overflow="ignore"))
        if plot.note:
            parts.append(Text(plot.note, style="dim"))
    return Group(*parts)


# -- optimize ---------------------------------------------------------------------------------


def fit_report(fit: Fit) -> RenderableType:
    """What `optimize` fitted, how much better it predicts, and the workload-optimal retention."""
    lines: list[RenderableType] = [
        Text.assemble(
            ("✓ fitted FSRS parameters", "bold green"),
            f" to {fit.reviews:,} reviews ({fit.training:,} on a later day than the card's previous one) — saved.",
        ),
        Text("Drills schedule with them from now on. `lossquiz optimize --show` lists them, `--reset` undoes."),
    ]
    if fit.loss_default is not None and fit.loss_fitted is not None:
        lines.append(
            Text(
                f"log-loss of the recall predictions on your history: default {fit.loss_default:.4f} "
                f"→ fitted {fit.loss_fitted:.4f} (lower is better)"
            )
        )
    if fit.optimal_retention is not None:
        tail = (
            " — now the drill default" if fit.applied_retention else " — `lossquiz optimize --apply-retention` uses it"
        )
        lines.append(Text(f"retention that minimises workload: {fit.optimal_retention:g}{tail}"))
    elif fit.retention_note:
        lines.append(Text(f"retention that minimises workload: not estimated ({fit.retention_note})", style="dim"))
    return Group(*lines)


def parameters_in_use(current: InUse, *, reset: bool | None = None) -> RenderableType:
    """`optimize --show`: which FSRS parameters and retention the drill uses, against the defaults."""
    parts: list[RenderableType] = []
    if reset is not None:
        parts.append(Text("reset: back to the defaults" if reset else "nothing to reset: the defaults were in use"))
    if current.fitted:
        when = current.fitted_at.astimezone().strftime("%Y-%m-%d %H:%M") if current.fitted_at else "?"
        head = Text.assemble(("FSRS parameters in use: ", "bold"), f"fitted on {current.reviews:,} reviews, {when}")
    else:
        history = current.history
        head = Text.assemble(("FSRS parameters in use: ", "bold"), "py-fsrs defaults")
        parts.append(head)
        head = Text(
            f"not fitted yet: {history.training:,} of the {current.needed} reviews `lossquiz optimize` needs so far"
        )
    source = "set by `optimize --apply-retention`" if current.retention_stored else "default"
    parts += [head, Text(f"desired retention: {current.retention:g} ({source}; `drill --retention` overrides)")]
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("w", "default", "in use"):
        table.add_column(column, justify="right")
    for i, (default, used) in enumerate(zip(current.defaults, current.parameters, strict=True)):
        style = "cyan" if abs(default - used) > 1e-9 else ""
        table.add_row(f"w{i}", f"{default:.4f}", Text(f"{used:.4f}", style=style))
    parts.append(table)
    return Group(*parts)


# -- implement-it practice (`lossquiz code`) ---------------------------------------------------


def practice_list(rows: list[Any]) -> RenderableType:
    """Practicable cards: passed ✓, attempted ✗, untried ·, with attempts and the function to write."""
    from datetime import datetime

    ids = max((len(r.card.id) for r in rows), default=2)
    functions = max((len(r.task.function) + 2 for r in rows), default=9)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column("", min_width=1, no_wrap=True)
    table.add_column("id", no_wrap=True, min_width=ids)  # ids and names are what the user types: never cut
    table.add_column("implement", no_wrap=True, min_width=functions)
    table.add_column("tries", justify="right", min_width=5, no_wrap=True)
    table.add_column("last", no_wrap=True, min_width=15)
    table.add_column("title")  # the one column that gives way on a narrow terminal
    passed = 0
    for row in rows:
        h = row.history
        if h and h.passed:
            mark, passed = Text("✓", style="green"), passed + 1
        elif h:
            mark = Text("✗", style="red")
        else:
            mark = Text("·", style="dim")
        last = Text("")
        if h:
            day = datetime.fromisoformat(h.last_checked).astimezone().strftime("%Y-%m-%d")
            last = Text.assemble(("pass" if h.last_passed else "fail", "green" if h.last_passed else "red"), f" {day}")
        table.add_row(
            mark,
            Text(row.card.id),
            Text(f"{row.task.function}()"),
            str(h.attempts) if h else "",
            last,
            Text(row.card.name, style="dim", no_wrap=True, overflow="ellipsis"),
        )
    note = Text(
        f"{passed}/{len(rows)} passed · start one: lossquiz code CARD · check it: lossquiz code CARD --check",
        style="dim",
    )
    return Group(table, note)


def _unwrapped(text: str, style: str = "") -> Text:
    """A line that is never wrapped (paths and commands are copied, not read)."""
    return Text(text, style=style, no_wrap=True, overflow="ignore")


def practice_started(card: Card, task: Any, path: Any, *, created: bool, editor: bool) -> RenderableType:
    """Where the practice file is, and the next command."""
    if created:
        lines = [_unwrapped(f"wrote {path}", "bold"), Text(f"implement {task.function}() in it")]
    else:
        lines = [
            _unwrapped(f"your attempt is at {path}", "bold"),
            Text(f"(kept as is; delete it to start over) — continue with {task.function}()"),
        ]
    if editor:
        lines.append(Text("opening your editor; the attempt is checked when the editor closes", style="dim"))
    else:
        lines += [Text("then check it:"), _unwrapped(f"  lossquiz code {card.id} --check", "bold")]
    return Group(*lines)


def _shown(value: Any) -> str:
    """A value from the practice checker: tensors as shape, dtype and (some) values."""
    if isinstance(value, dict) and "repr" in value:
        return str(value["repr"])
    if isinstance(value, dict) and "shape" in value:
        more = " …" if value.get("truncated") else ""
        if not value["shape"]:
            return f"{fmt(value['values'], 6)}  ({value['dtype']}, 0-dim)"
        shape = "(" + ", ".join(str(n) for n in value["shape"]) + ("," if len(value["shape"]) == 1 else "") + ")"
        return f"{fmt(value['values'], 5)}{more}  ({value['dtype']}, shape {shape})"
    return fmt(value, 6)


def practice_report(card: Card, task: Any, report: Any, interval: Any) -> RenderableType:
    """✓ all cases, or the first failing case in full; then what was recorded."""
    parts: list[RenderableType] = []
    name = f"{task.function}()"
    if report.passed:
        parts.append(
            Text.assemble(
                ("✓ ", "bold green"),
                (f"{name} passes all {report.total} cases", "bold"),
                f" — values and gradients agree with {report.reference}",
            )
        )
        parts.append(Text("  " + " · ".join(report.cases_passed), style="dim"))
    else:
        parts.append(_practice_failure(name, report))
    parts.append(_unwrapped(f"{report.attempt} · seed {report.seed}", "dim"))
    if report.started:
        parts.append(recorded(int(report.rating), interval, cram=False, extra="implement-it practice"))
    else:
        parts.append(Text("nothing recorded — edit the file, then check again", style="dim"))
    if not report.passed and report.started:
        parts.append(Text(f"stuck? lossquiz code {card.id} --solution", style="dim"))
    return Group(*parts)


def _practice_failure(name: str, report: Any) -> RenderableType:
    f = report.failure or {}
    check = f.get("check", "error")
    if not report.started:
        return Text.assemble(("· ", "yellow"), (f.get("summary", ""), "bold"))
    head = Text()
    head.append("✗ ", style="bold red")
    if "case" in f:
        head.append(f"{name} fails case {f.get('case_number', '?')}/{report.total} '{f['case']}'", style="bold")
    else:
        head.append(f"{name} cannot be checked", style="bold")
    head.append(f" — {check}", style="bold red")
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("", Text(f.get("summary", "")))
    for i, (key, value) in enumerate((f.get("inputs") or {}).items()):
        table.add_row("inputs" if i == 0 else "", Text(f"{key} = {_shown(value)}"))
    what = f"d/d{f['input']} " if f.get("input") else ""
    if "expected" in f:
        table.add_row(f"{what}expected", Text(_shown(f["expected"])))
    if "actual" in f:
        table.add_row(f"{what}got", Text(_shown(f["actual"])))
    at = f.get("at")
    if at and at.get("index"):
        index = "[" + ", ".join(str(i) for i in at["index"]) + "]"
        table.add_row(f"at {index}", Text(f"expected {fmt(at['expected'], 6)}, got {fmt(at['actual'], 6)}"))
    if "expected" in f:
        table.add_row("reference", Text(report.reference, style="dim"))
    if f.get("hint"):
        table.add_row("hint", Text(str(f["hint"]), style="yellow"))
    if report.cases_passed:
        table.add_row("passed", Text(" · ".join(report.cases_passed), style="dim"))
    return Group(head, table)


def practice_solution(card: Card, task: Any, code: str) -> RenderableType:
    """The model solution, highlighted, with what it is checked against."""
    from rich.syntax import Syntax

    return Group(
        Panel(
            Syntax(code, "python", word_wrap=True),
            title=f"solution: {card.name} ({card.id})",
            title_align="left",
        ),
        Text(f"checked against: {task.reference}", style="dim"),
    )


# -- the scheduler in use (`stats`) ------------------------------------------------------------


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
