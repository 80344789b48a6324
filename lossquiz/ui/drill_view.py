"""`drill`: a card, its problem, the grade, the rating choices and the session summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.panel import Panel
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from lossquiz.deck.cards import Card
from lossquiz.numbers import counted, fmt
from lossquiz.ui.card_view import (
    CardHeader,
    answer,
    compact_answer,
    drawn_lines,
    labelled,
    live_line,
    markdown,
    worked_example,
)
from lossquiz.ui.console import Phrases, inline

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.study.recall import FormulaVerdict


RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
RATING_STYLE = {1: "red", 2: "yellow", 3: "green", 4: "cyan"}


def drill_card(card: Card, position: str, time_limit: float) -> RenderableType:
    """A card as the drill asks it: position, topic, limit, question."""
    limit = f"⏱ {time_limit:g}s" if time_limit > 0 else "untimed"
    head = CardHeader(card, position, f"  {limit}")
    if card.calculator:
        return Group(head, Text("calculator allowed", style="bold yellow"), markdown(card.question))
    return Group(head, markdown(card.question))


def problem(inputs: dict[str, Any], card: Card) -> RenderableType:
    """The random problem's inputs and how the answer is graded."""
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for name, value in inputs.items():
        table.add_row(Text(name), Text(fmt(value)))
    what = f"type {card.grade_label or 'the value the question asks for'}; " if card.grade else ""  # never a code name
    rule = Text(f"{what}an answer within {100 * card.tolerance:g}% of the value (or ±0.001) is right", style="dim")
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
    line = Text.assemble(mark, f"  you typed {fmt(typed)}, the live value is {fmt(expected)}")
    timing = f"{seconds:.0f}s" + (f" of {limit:g}s" if limit > 0 else "")
    return Group(line, recorded(rating, due, cram=due is None, extra=timing))


def given(values: dict[str, float]) -> RenderableType:
    """The values a hand solver needs (the snippet's given()), under the problem."""
    return _Given([f"{k} = {fmt(v)}" for k, v in values.items()])


class _Given:
    """`given: a = 1 · b = 2`, wrapped between terms and hung under the first at whatever width it
    is drawn: wrapped as prose, `ln σ(1.5) = ln(1 −` / `σ(1.5)) = …` read as two wrong values."""

    LEAD = "given: "

    def __init__(self, terms: list[str]) -> None:
        self.terms = terms

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        lines = Phrases(self.terms).lines(options.max_width - len(self.LEAD))
        yield Text(self.LEAD + ("\n" + " " * len(self.LEAD)).join(lines), style="cyan")


def _position(index: Any) -> str:
    """A 0-based tensor index as people count: [2] -> 3, [0, 1] -> (1, 2)."""
    ones = [int(i) + 1 for i in index]
    return str(ones[0]) if len(ones) == 1 else str(tuple(ones))


def formula_verdict(verdict: FormulaVerdict) -> RenderableType:
    """✓/✗ for a typed formula: where it first disagrees, the mistake it matches, the reference."""
    if verdict.right:
        where = f"  agrees on the fixed example and {verdict.cases - 1} random problems"
        return Group(
            Text.assemble(Text("✓ right", style="bold green"), where),
            labelled("reference:", verdict.reference, style="bold"),
        )
    if verdict.unstable:
        return Group(
            _unstable(verdict.unstable, verdict.cases), labelled("reference:", verdict.reference, style="bold")
        )
    parts: list[RenderableType] = [Text("✗ wrong", style="bold red")]
    d = verdict.disagreement or {}
    if d:
        # Elements are counted from 1, as people count; a matrix position is (row, column) from 1.
        # Each element is named once: the first wrong one here, any others after it.
        where = f"{d['case']}"
        elements = int(d.get("elements", 0))
        if d.get("index") and elements > 1:
            where += f", element {_position(d['index'])} of {elements}"
        parts.append(Text(f"first disagreement on {where}:"))
        if d.get("why"):
            parts.append(Text(f"  {d['why']}"))
        others = [i for i in d.get("wrong") or [] if list(i) != list(d.get("index") or [])]
        if others and elements > 1:
            wrong = ", ".join(_position(i) for i in others)
            parts.append(Text(f"  also wrong at element{'s' if len(others) > 1 else ''} {wrong}"))
        # A wrapped line keeps a hanging indent under its first value.
        for key in ("at", "with"):
            if d.get(key):
                shown = ", ".join(f"{k} = {fmt(v)}" for k, v in d[key].items())
                parts.append(labelled(f"  {key}", shown))
        if not (d.get("at") or d.get("with")) and d.get("inputs"):
            parts.append(labelled("  inputs:", fmt(d["inputs"])))
        if not d.get("why"):
            parts.append(Text(f"  expected {fmt(d['expected'])}, yours gives {fmt(d['got'])}"))
    if verdict.hint:
        parts.append(Text(f"→ {verdict.hint}", style="yellow"))
    parts.append(labelled("reference:", verdict.reference, style="bold"))
    return Group(*parts)


def _unstable(u: dict[str, Any], cases: int) -> Text:
    """`✗ not stable: at z up to ±1000 this gives inf; <the card's hint>`, then where it did agree."""
    gives = fmt(u.get("got"))
    if u.get("index") and int(u.get("elements", 0)) > 1:
        gives += f" at element {_position(u['index'])} of {u['elements']}"
    if "expected" in u and not (isinstance(u.get("got"), str) and u["got"] in ("inf", "-inf", "nan")):
        gives += f" where the answer is {fmt(u['expected'])}"
    return Text.assemble(
        Text("✗ not stable", style="bold red"),
        f": at {u['at']} this gives {gives}; {u.get('hint', '')}".rstrip("; "),
        Text(
            f"\n  right on the fixed example and {cases - 1} random problems, where the values are small", style="dim"
        ),
    )


def rating_choices(intervals: dict[Any, Any], *, cram: bool) -> RenderableType:
    """`1 Again 10m · 2 Hard 2d · 3 Good 5d · 4 Easy 12d`; cramming, the ratings alone (no interval
    is applied, so none is previewed)."""
    from lossquiz.progress.scheduling import format_interval

    text = Text()
    for i, (rating, delta) in enumerate(sorted(intervals.items(), key=lambda kv: int(kv[0]))):
        n = int(rating)
        text.append(" · " if i else "")
        text.append(f"{n} {RATING_NAMES[n]}", style=RATING_STYLE[n])
        if not cram:
            text.append(f" {format_interval(delta)}")
    if cram:
        text.append("   (cram: the schedule will not change)", style="dim")
    return text


def recorded(rating: int, due: Any, *, cram: bool, extra: str = "") -> Text:
    """`recorded Good · next in 5d`."""
    from lossquiz.progress.scheduling import format_interval

    text = Text("recorded ", style="dim")
    text.append(RATING_NAMES[int(rating)], style=RATING_STYLE[int(rating)])
    if extra:
        text.append(f" · {extra}", style="dim")
    if cram or due is None:
        text.append(" · cram: schedule unchanged", style="dim")
    else:
        text.append(f" · next in {format_interval(due)}", style="dim")
    return text


def summary(
    s: Any,
    *,
    interrupted: bool,
    cram: bool,
    now: datetime | None = None,
    skipped: int = 0,
    scope: str = "",
    time_budget: float | None = None,
    deck: str = "",
) -> RenderableType:
    """End of session: cards, accuracy, time, what is due next (relative to `now`, default the wall clock).
    `deck` is the `--deck …` the session was given, for the commands it names.

    `skipped` cards were left with nothing recorded; `scope` is the session's filter as typed
    (`--topic regression`), which the due counts are for ("" is the whole deck); `time_budget` is
    the `--minutes` that ended the session with cards left (said, or a short session looks cut off).
    """
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("cards answered", str(s.reviews))
    if cram:  # a row, not the title: "session interrupted — … (cram: …)" ran past 80 columns and was cut
        table.add_row("cram", "answers recorded, schedule unchanged")
    if time_budget is not None:
        table.add_row("stopped", inline(f"session time budget reached (`--minutes {time_budget:g}`)"))
    if skipped:
        table.add_row("cards skipped", f"{skipped} (nothing recorded)")
    if s.graded:  # every auto-graded answer: typed numbers, formulas, typed cloze gaps
        table.add_row("graded accuracy", f"{s.correct}/{s.graded} ({100 * s.correct / s.graded:.0f}%)")
    if s.ratings:
        table.add_row("ratings", " · ".join(f"{RATING_NAMES[k]} {v}" for k, v in sorted(s.ratings.items())))
    table.add_row("time answering", f"{s.seconds / 60:.1f} min" if s.seconds >= 60 else f"{s.seconds:.0f} s")
    if scope:  # the counts below follow the session's filter: say so, and how to see the whole deck
        whole = f"lossquiz due {deck}".rstrip()  # of this deck: `lossquiz due` alone is the built-in one
        table.add_row("due counts", inline(f"for {scope} only (the whole deck: `{whole}`)"))
    if s.due_now:
        again = " ".join(p for p in ("lossquiz drill", deck, scope) if p)
        table.add_row("due now", inline(f"{s.due_now} (`{again}` again to review them)"))
    table.add_row("due today", str(s.due_today))
    if s.next_due:
        table.add_row("next due", _when(s.next_due, now))
    title = "session interrupted — everything answered is saved" if interrupted else "session summary"
    return Panel(table, title=title, title_align="left", expand=False)


def scope(*, topics: tuple[str, ...] = (), kinds: tuple[str, ...] = (), card_ids: tuple[str, ...] = ()) -> str:
    """A session's filter as the options that make it (`--card huber`, `--topic regression --kind numeric`);
    "" for the whole deck. `--card` wins: the drill takes just those cards."""
    if card_ids:
        return " ".join(f"--card {c}" for c in card_ids)
    return " ".join([*(f"--topic {t}" for t in topics), *(f"--kind {k}" for k in kinds)])


def _when(stamp: str, now: datetime | None = None) -> str:
    """When a stored UTC time comes: "now" once it has passed, else "in 5m (2026-03-01 08:05)" (local time)."""
    from datetime import timezone

    from lossquiz.clock import format_interval

    due = datetime.fromisoformat(stamp)
    left = due - (now if now is not None else datetime.now(timezone.utc))
    if left.total_seconds() <= 0:
        return "now"
    return f"in {format_interval(left)} ({due.astimezone().strftime('%Y-%m-%d %H:%M')})"


def nothing_due(
    s: Any,
    plan: Any = None,
    now: datetime | None = None,
    scope: str = "",
    *,
    cram: bool = False,
    untrusted: bool = False,
) -> Text:
    """The kind message when the queue is empty: for which filter (`scope`), when the next card is due, and
    which limit held new cards back. A cram is empty only when its cards cannot be asked: it is not
    told to cram."""
    if cram:
        why = "every card chosen is graded by its snippet, which does not run until the deck is trusted"
        return Text(f"Nothing to cram{f' for {scope}' if scope else ''}" + (f": {why}." if untrusted else "."))
    text = Text(f"Nothing is due right now for {scope}" if scope else "Nothing is due right now")
    text.append(" (numeric and gradient cards are left out until the deck is trusted)." if untrusted else ".")
    if s.next_due:
        when = _when(s.next_due, now)
        text.append(" Next card due now." if when == "now" else f" Next card due {when}.")
    stopped = plan.stopped_by if plan is not None else None
    if stopped == "daily":
        text.append_text(
            inline(
                f"\n{counted(plan.introduced_today, 'new card')} already introduced today (daily limit "
                f"{plan.daily_limit}, new_per_day in `lossquiz config`); {_unseen(plan.unseen)} — "
                f"`lossquiz drill --new {min(plan.unseen, 5)}` introduces {min(plan.unseen, 5)} more now."
            )
        )
    elif stopped == "session":
        text.append(f"\n--new {plan.session_new} asked for no new cards; {_unseen(plan.unseen)}.")
    elif not untrusted:  # untrusted: a cram would leave out the same snippet cards
        text.append_text(inline("\nReview ahead with `lossquiz drill --cram`.", style="dim"))
    return text


def _unseen(count: int) -> str:
    return f"{count} unseen remain{'s' if count == 1 else ''}"


def new_limit(plan: Any, introduced_today: int) -> Text:
    """Said after a session the daily new-card limit cut short; `introduced_today` is the store's count."""
    from lossquiz.study.queue import daily_limit_note

    return inline(daily_limit_note(plan, introduced_today), style="dim")


def untrusted_drill(reason: str) -> Text:
    """The one line a drill on an untrusted deck says."""
    return inline(f"note: no snippet runs and numeric/gradient cards are left out: {reason}", style="yellow")


REVEAL_RESERVE = 3  # rows kept under a reveal: the rating choices (up to 2 lines) and the prompt
ANSWER_MIN_LINES = 3  # of the answer text before the formula loses its box (then as few as 1)
NEXT_CARD_ROWS = 12  # a numeric card's header, question, problem and prompt: what pushes the last verdict up
LIVE_LINE_ROWS = 2  # the snippet's result in a line (wrapped at 80 columns by a long card id)


class DrillScreen:
    """The drill's `Screen` (study.drill): each event drawn on one Rich console.

    In a terminal it counts the rows drawn since the card's header, so that a reveal fits the
    screen with the question still above it: the answer text is cut (the rest: `lossquiz show`)
    and a snippet's steps become one line when all of it would not fit. A pipe gets everything."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._used = 0
        self._card_id = ""

    def _rows(self, renderable: RenderableType) -> int:
        return len(drawn_lines(self.console, renderable, self.console.options))

    def _fits(self, renderable: RenderableType, *, below: int = 0) -> bool:
        """Whether it fits under what is on screen, with the reserve (and `below` rows) under it;
        always, in a pipe."""
        if not self.console.is_terminal:
            return True
        return self._used + self._rows(renderable) + below + REVEAL_RESERVE <= self.console.height

    def _print(self, renderable: RenderableType) -> None:
        if not self.console.is_terminal:
            self.console.print(renderable)
            return
        # drawn once, counted and printed: rendering it again to print doubled the cost of a reveal
        lines = drawn_lines(self.console, renderable, self.console.options)
        self._used += len(lines)
        self.console.print(Segments([seg for line in lines for seg in (*line, Segment.line())]), end="")

    def card(self, card: Card, position: str, time_limit: float) -> None:
        """The card being asked."""
        self._used, self._card_id = 1, card.id  # the prompt's own row under the question
        self._print(drill_card(card, position, time_limit))

    def problem(self, inputs: dict[str, Any], card: Card) -> None:
        """A numeric card's random problem."""
        self._print(problem(inputs, card))

    def graded(
        self,
        correct: bool,
        value: float,
        expected: float,
        card: Card,
        rating: Any,
        seconds: float,
        time_limit: float,
        due: Any,
    ) -> None:
        """The verdict on a typed number."""
        self._print(graded(correct, value, expected, card, rating, seconds, time_limit, due))

    def given(self, values: dict[str, float]) -> None:
        """The given() values under a problem, if any."""
        if values:
            self._print(given(values))

    def formula(self, verdict: FormulaVerdict, card: Card, rating: Any, seconds: float, due: Any) -> None:
        """The verdict on a typed formula, the card's answer (whole where it fits, else compact: a
        24-row terminal keeps the question in view), then what was recorded."""
        self._print(formula_verdict(verdict))
        # the next card is drawn under it: room for that too, or the verdict scrolls off — the whole
        # answer, else the compact one, else (a long disagreement and hint) where to read it
        pointer = Text(f"the answer and its key points: lossquiz show {card.id}", style="dim")
        shown = (
            r for r in (answer(card), compact_answer(card)) if self._fits(r, below=NEXT_CARD_ROWS - REVEAL_RESERVE)
        )
        self._print(next(shown, pointer))
        self._print(recorded(int(rating), due, cram=due is None, extra=f"{seconds:.0f}s"))

    def worked(self, data: dict[str, Any], *, label: str, seed: int | None = None) -> None:
        """A snippet's worked steps, or its result in a line where the steps would push the
        question (or the verdict) off a short terminal."""
        more = f"lossquiz show {self._card_id}" + (f" --seed {seed}" if seed is not None else "")
        shorter = [live_line(data, label=label, more=more, values=v) for v in (True, False)]
        # a numeric problem's steps come after its verdict, and the next card is drawn under them
        below = NEXT_CARD_ROWS - REVEAL_RESERVE if seed is not None else 0
        fitting = (r for r in (worked_example(data, label=label), *shorter) if self._fits(r, below=below))
        self._print(next(fitting, shorter[-1]))

    def answer(self, card: Card, typed: str = "", *, prompt: str = "") -> None:
        """The revealed answer and key points, under what the user typed first (if anything); its
        text cut to what a short terminal holds, the key points and formula kept whole."""
        if prompt:  # the prompt and the answer typed after it, as many rows as they wrapped to
            from rich.cells import cell_len

            self._used += max(cell_len(prompt) - 1, 0) // max(self.console.width, 1)  # its first row is counted
        if typed:
            self._print(labelled("you wrote:", typed, label_style="bold"))
        whole = answer(card)
        live = LIVE_LINE_ROWS if card.snippet else 0  # the snippet's line, drawn after the answer
        if self._fits(whole, below=live):
            self._print(whole)
            return
        text = self._rows(markdown(card.answer))
        for boxed in (True, False):  # the formula's box goes before the answer text goes below its minimum
            shown = answer(card, boxed=boxed)
            fixed = self._rows(shown) - text + 1  # key points, formula, and the "…" line that cuts the text
            room = self.console.height - self._used - fixed - REVEAL_RESERVE - live
            if room >= ANSWER_MIN_LINES or not boxed:
                self._print(answer(card, text_lines=max(room, 1), boxed=boxed))
                return

    def choices(self, intervals: dict[Any, Any], *, cram: bool) -> None:
        """The four ratings and the interval each would give (cramming, the ratings alone)."""
        self._print(rating_choices(intervals, cram=cram))

    def recorded(self, rating: Any, due: Any, *, cram: bool) -> None:
        """What was recorded, and when the card comes back."""
        self._print(recorded(int(rating), due, cram=cram))

    def wrote(self, text: str) -> None:
        """The typed formula as it was read, wrapped under itself."""
        self._print(labelled("you wrote:", text, style="dim"))

    def say(self, text: str = "", *, style: str = "") -> None:
        """One plain line."""
        self._print(inline(text, style=style))

    @contextmanager
    def waiting(self, text: str) -> Iterator[None]:
        """`text` (dim) on the current line while the block runs, erased when it ends: on a
        terminal only (a pipe or a log gets nothing, as it would get a line that is stale)."""
        if not self.console.is_terminal:
            yield
            return
        from rich.control import Control
        from rich.segment import ControlType

        self.console.print(inline(text, style="dim"), end="", overflow="crop", no_wrap=True)
        try:
            yield
        finally:
            self.console.control(Control(ControlType.CARRIAGE_RETURN, (ControlType.ERASE_IN_LINE, 2)))
