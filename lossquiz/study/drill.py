"""The drill loop: show a card, read the answer, grade it, commit the review at once.

Everything the loop needs comes in (deck, store, snippet runner, screen, prompter, clock),
so tests drive it with a FixedClock and scripted answers. The snippet worker is started
before the first card is shown, so torch imports while the user reads.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from fsrs import Rating

from lossquiz.clock import Clock, local_day_start
from lossquiz.deck.cards import Card, Deck
from lossquiz.errors import SnippetError
from lossquiz.progress import scheduling
from lossquiz.progress.reviews import record_rated
from lossquiz.progress.store import ReviewInput, Store
from lossquiz.study import cloze, recall
from lossquiz.study.expression import ExpressionError
from lossquiz.study.grading import auto_rating, graded_value, is_correct, number_hint, parse_number
from lossquiz.study.queue import LEECH_LAPSES, DrillOptions, Plan, Session, daily_cut_note, daily_limit_note, plan
from lossquiz.worker.client import SnippetRunner

COMMANDS = "s skip · u undo · q quit"
T = TypeVar("T")


class Prompter(Protocol):
    """Reads one answer; `deadline` lets a terminal show a countdown (ui.prompts)."""

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str: ...
    def warm_up(self) -> None: ...  # the first card is on screen: load what prompting needs


class Screen(Protocol):
    """What the drill shows; ui.drill_view.DrillScreen draws it with Rich."""

    def card(self, card: Card, position: str, time_limit: float) -> None: ...
    def problem(self, inputs: dict[str, Any], card: Card) -> None: ...
    def graded(
        self,
        correct: bool,
        value: float,
        expected: float,
        card: Card,
        rating: Rating,
        seconds: float,
        time_limit: float,
        due: Any,
    ) -> None: ...
    def worked(self, data: dict[str, Any], *, label: str, seed: int | None = None) -> None: ...
    def given(self, values: dict[str, float]) -> None: ...
    def formula(self, verdict: recall.FormulaVerdict, card: Card, rating: Rating, seconds: float, due: Any) -> None: ...
    def answer(self, card: Card, typed: str = "", *, prompt: str = "") -> None: ...
    def choices(self, intervals: dict[Any, Any], *, cram: bool) -> None: ...
    def recorded(self, rating: Rating, due: Any, *, cram: bool) -> None: ...
    def say(self, text: str = "", *, style: str = "") -> None: ...
    def wrote(self, text: str) -> None: ...  # the typed formula as it was read
    def waiting(self, text: str) -> AbstractContextManager[None]: ...  # `text` while the block runs, then gone


class _Quit(Exception):
    """The user typed q."""


class _Undo(Exception):
    """The user typed u."""


class _Skip(Exception):
    """The user typed s."""


@dataclass
class DrillResult:
    """How the session went (the summary is read back from the database)."""

    session_id: int | None
    asked: int = 0
    skipped: int = 0  # cards left with nothing recorded: typed s, or their snippet let the drill down
    interrupted: bool = False
    out_of_time: bool = False  # `--minutes` ended the session before the queue did
    empty: bool = False
    plan: Plan | None = None  # what was queued and which limit stopped new cards
    introduced_today: int = 0  # cards first reviewed this study day, this session included (as `due` counts)

    @property
    def daily_limit_reached(self) -> bool:
        """The daily new-card limit kept unseen cards out and today's introduced cards (not queued ones) reach it."""
        plan = self.plan
        return plan is not None and plan.stopped_by == "daily" and self.introduced_today >= plan.daily_limit


class Drill:
    """One drill session."""

    def __init__(
        self,
        deck: Deck,
        store: Store,
        runner: SnippetRunner,
        screen: Screen,
        prompter: Prompter,
        clock: Clock,
        options: DrillOptions,
        *,
        parameters: list[float] | None = None,
        scheduler: scheduling.Scheduler | None = None,
    ) -> None:
        self.deck, self.store, self.runner = deck, store, runner
        self.screen, self.prompter, self.clock, self.options = screen, prompter, clock, options
        self.scheduler = scheduler or scheduling.make_scheduler(retention=options.retention, parameters=parameters)
        self.rng = random.Random(options.seed)
        self.session_id: int | None = None
        self._warm_up = False  # start the worker once the first card is shown

    # -- the loop -------------------------------------------------------------------------

    def run(self) -> DrillResult:
        """Ask cards until the queue, the card limit or the time budget runs out."""
        now = self.clock.now()
        self.store.sync_cards((c.id, c.content_hash()) for c in self.deck.cards)
        rows = self.store.cards()
        day_start = local_day_start(now, hour=self.scheduler.day_start_hour, tz=self.scheduler.tz)
        introduced = self.store.introduced_since(day_start)
        planned = plan(self.deck.cards, rows, now=now, options=self.options, introduced_today=introduced)
        queue = list(planned.cards)
        if not queue:
            return DrillResult(None, empty=True, plan=planned)
        for asked in queue:  # only --card reaches a suspended card: do it, but say so
            if rows.get(asked.id) and rows[asked.id].suspended:
                self.screen.say(
                    f"'{asked.id}' is suspended: drilling it because you asked (`lossquiz card unsuspend {asked.id}`)",
                    style="yellow",
                )
        if planned.limit_already_reached and not self.options.cram:  # said now, not only after quitting
            self.screen.say(daily_limit_note(planned, introduced), style="dim")
        elif not self.options.cram and (cut := daily_cut_note(planned, self.options.max_cards)) is not None:
            self.screen.say(cut, style="dim")  # a short session says why before its first card
        self._warm_up = self.options.run_snippets and any(c.snippet for c in queue)
        self.session_id = self.store.start_session(now, cram=self.options.cram)
        session = Session(queue, started=now, minutes=self.options.minutes)
        result = DrillResult(self.session_id, plan=planned)
        try:
            while (card := session.next_card(self.clock.now())) is not None:
                result.asked += 1
                position = f"{result.asked}/{result.asked + len(session.queue)}"
                try:
                    rating = self._ask(card, position)
                except _Skip:
                    result.skipped += 1
                    self.screen.say("skipped", style="dim")
                    continue
                except _Undo:
                    undone = self._undo()
                    session.ask_again_first(*(c for c in (undone, card) if c is not None))
                    result.asked -= 1 if undone is None else 2
                    continue
                if rating == Rating.Again and session.failed(card):
                    self.screen.say("↻ this card comes back later in the session", style="dim")
        except _Quit:
            pass
        except EOFError:
            pass
        except KeyboardInterrupt:
            result.interrupted = True
        finally:
            self.store.end_session(self.session_id, self.clock.now())
        result.out_of_time = session.out_of_time
        if not self.options.cram:  # a cram answer leaves the schedule alone: it introduces nothing
            result.introduced_today = self.store.introduced_since(day_start)
        return result

    def _command(self, text: str) -> None:
        """Raise for the session commands typed at any prompt."""
        key = text.strip().lower()
        if key in ("q", "quit"):
            raise _Quit
        if key in ("u", "undo"):
            raise _Undo
        if key in ("s", "skip"):
            raise _Skip

    def _undo(self) -> Card | None:
        assert self.session_id is not None
        slug = self.store.undo_last(self.session_id)
        if slug is None:
            self.screen.say("nothing to undo in this session", style="yellow")
            return None
        kept = "a cram answer: its schedule never moved" if self.options.cram else "its previous schedule is back"
        self.screen.say(f"undone: last rating of '{slug}' ({kept})", style="yellow")
        return self.deck.by_id.get(slug)

    def _ask_until(
        self,
        message: str,
        parse: Callable[[str], T | None],
        hint: str | Callable[[str], str],
        deadline: datetime | None = None,
    ) -> tuple[str, T]:
        """Ask until `parse` accepts the answer (session commands raise); nonsense gets `hint` (or
        `hint(text)`, said for what was typed)."""
        while True:
            text = self.prompter.ask(message, deadline=deadline)
            self._command(text)
            value = parse(text)
            if value is not None:
                return text, value
            self.screen.say(hint if isinstance(hint, str) else hint(text), style="yellow")

    def _deadline(self, shown: datetime) -> datetime | None:
        limit = self.options.time_limit
        return shown + timedelta(seconds=limit) if limit > 0 else None

    # -- one card -------------------------------------------------------------------------

    def _ask(self, card: Card, position: str) -> Rating:
        self.screen.say()
        self.screen.card(card, position, self.options.time_limit)
        if self._warm_up:  # after the first card is on screen: torch and the prompt load while it is read
            self._warm_up = False
            self.runner.start()
            self.prompter.warm_up()
        row = self.store.cards().get(card.id)
        if row is not None and row.lapses >= LEECH_LAPSES:
            self.screen.say(
                f"leech: forgotten {row.lapses} times — `lossquiz card suspend {card.id}` sets it aside",
                style="yellow",
            )
        ask = {"number": self._ask_numeric, "expression": self._ask_formula, "self": self._ask_recall}.get(
            card.grading, self._ask_recall
        )
        if card.kind == "cloze" and cloze.typed_check(card) is not None:
            ask = self._ask_cloze
        return ask(card)

    def _ask_cloze(self, card: Card) -> Rating:
        """A cloze whose gap is a number or a short term: the fill is typed and checked."""
        expected = cloze.typed_check(card)
        assert expected is not None
        shown = self.clock.now()
        _, typed = self._ask_until(
            f"fill the gap ({COMMANDS}) > ",
            lambda text: text.strip() or None,
            "type what the gap hides (or s, u, q)",
            self._deadline(shown),
        )
        seconds = (self.clock.now() - shown).total_seconds()
        correct = cloze.matches(typed, expected)
        rating = Rating(auto_rating(correct, seconds, self.options.time_limit))
        due = self._record(card, rating, seconds, answer=typed.strip(), correct=correct)
        verdict = "✓ right" if correct else f"✗ the gap is: {expected}"
        self.screen.say(verdict, style="green" if correct else "red")
        self.screen.answer(card)
        self.screen.recorded(rating, due, cram=self.options.cram)
        return rating

    def _ask_numeric(self, card: Card) -> Rating:
        path = self.deck.snippet_path(card)
        assert path is not None
        seed = self.rng.randrange(2**31)
        if self.runner.ready:
            outcome = self.runner.run(path, seed=seed)
        else:  # torch is still loading in the worker: say why nothing shows yet, until it does
            with self.screen.waiting("preparing the problem (loading torch)…"):
                outcome = self.runner.run(path, seed=seed)
        data = outcome.data
        problem = self._problem_value(card, data, outcome.error)
        if data is None or problem is None:
            raise _Skip
        self.screen.problem(data["inputs"], card)
        self.screen.given(recall.given(self.runner, path, seed))
        shown = self.clock.now()
        deadline = self._deadline(shown)
        text, value = self._ask_until(f"answer ({COMMANDS}) > ", parse_number, number_hint, deadline)
        seconds = (self.clock.now() - shown).total_seconds()
        correct = is_correct(value, problem, card.tolerance, typed=text)
        rating = self._rating(card, correct, seconds)
        due = self._record(card, rating, seconds, answer=text.strip(), correct=correct, expected=problem)
        self.screen.graded(correct, value, problem, card, rating, seconds, self.options.time_limit, due)
        if not correct and (hint := recall.diagnose(self.runner, path, card, seed, value)):
            self.screen.say(f"→ {hint}", style="yellow")
        self.screen.worked(data, label=f"worked steps (seed {seed})", seed=seed)
        return rating

    def _record(
        self,
        card: Card,
        rating: Rating,
        seconds: float,
        *,
        answer: str | None,
        correct: bool | None = None,
        expected: float | None = None,
    ) -> Any:
        """Commit one answer now (every kind of card records the same way) and move its schedule."""
        review = ReviewInput(
            slug=card.id,
            rating=int(rating),
            reviewed_at=self.clock.now(),
            duration_ms=int(seconds * 1000),
            session_id=self.session_id,
            correct=correct,
            answer=answer,
            expected=expected,
            cram=self.options.cram,
        )
        return record_rated(self.store, self.scheduler, review)

    def _rating(self, card: Card, correct: bool, seconds: float) -> Rating:
        """Auto rating of a graded answer, Easy measured against this card's own past times."""
        history = self.store.correct_durations(card.id) if correct else []
        return Rating(auto_rating(correct, seconds, self.options.time_limit, history))

    def _ask_formula(self, card: Card) -> Rating:
        path = self.deck.snippet_path(card)
        assert path is not None
        cases = recall.seeds(self.rng)
        shown = self.clock.now()
        deadline = self._deadline(shown)
        self.screen.say(
            f"type an expression in {', '.join(recall.names(card))} (^ is power; exp, log, sigmoid, where, mean, …)",
            style="dim",
        )
        while True:
            text = self.prompter.ask(f"formula ({COMMANDS}) > ", deadline=deadline)
            # the answer's time ends at Enter, not after grading (the worker may be loading torch)
            answered = self.clock.now()
            self._command(text)
            try:
                parsed = recall.read(card, text)
            except ExpressionError as e:
                self.screen.say(f"{e} — try again (nothing recorded)", style="yellow")
                continue
            self.screen.wrote(parsed.pretty())
            try:
                verdict = recall.grade_formula(self.runner, path, card, parsed, cases)
            except recall.Retry as e:
                self.screen.say(f"{e} — try again (nothing recorded)", style="yellow")
                continue
            except SnippetError as e:
                self.screen.say(f"{e} — card skipped, nothing recorded", style="red")
                raise _Skip from None
            except KeyboardInterrupt:  # the session ends; "everything answered is saved" must not cover this one
                self.screen.say("interrupted while checking that answer: it was not recorded", style="yellow")
                raise
            break
        seconds = (answered - shown).total_seconds()
        rating = self._rating(card, verdict.right, seconds)
        due = self._record(card, rating, seconds, answer=text.strip(), correct=verdict.right)
        self.screen.formula(verdict, card, rating, seconds, due)
        return rating

    def _problem_value(self, card: Card, data: dict[str, Any] | None, error: str | None) -> float | None:
        """The number to grade against, or None (with one line said) if the snippet let us down."""
        if data is None:
            self.screen.say(
                f"snippet '{card.snippet}' failed: {error} — card skipped, nothing recorded",
                style="red",
            )
            return None
        if not data["agree"]:
            self.screen.say(f"snippet '{card.snippet}' disagrees with its reference — card skipped", style="red")
            return None
        try:
            return graded_value(card, data["value"])
        except ValueError as e:
            self.screen.say(f"card '{card.id}': {e} — card skipped", style="red")
            return None

    def _ask_recall(self, card: Card) -> Rating:
        shown = self.clock.now()
        prompt = f"Enter to reveal, or type your answer first ({COMMANDS}) > "
        typed = self.prompter.ask(prompt, deadline=self._deadline(shown), graded=False)
        self._command(typed)
        seconds = (self.clock.now() - shown).total_seconds()
        # what they typed above the answer, to rate themselves against (the prompt: the rows it took)
        self.screen.answer(card, typed.strip(), prompt=prompt + typed)
        if card.snippet and self.options.run_snippets:
            path = self.deck.snippet_path(card)
            assert path is not None
            outcome = self.runner.run(path)
            if outcome.data is not None:
                self.screen.worked(outcome.data, label=f"live: snippets/{card.snippet}.py")
            else:
                self.screen.say(f"snippet '{card.snippet}' failed: {outcome.error}", style="red")
        state = self._state(card)
        intervals = scheduling.preview(self.scheduler, state, now=self.clock.now())
        self.screen.choices(intervals, cram=self.options.cram)
        _, rating = self._ask_until(
            "rate 1-4 or a/h/g/e (u undo · q quit) > ",
            lambda text: scheduling.RATING_KEYS.get(text.strip().lower()),
            "type one of 1 Again, 2 Hard, 3 Good or 4 Easy (or a, h, g, e), then Enter",
        )
        due = self._record(card, rating, seconds, answer=typed.strip() or None)
        self.screen.recorded(rating, due, cram=self.options.cram)
        return rating

    def _state(self, card: Card) -> Any:
        row = self.store.cards().get(card.id)
        return scheduling.load(row.fsrs_json if row else None, row.id if row else 0, self.clock.now())
