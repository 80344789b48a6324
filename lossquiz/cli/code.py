"""Implement-it practice: `code start|check|solution|list` (and `code CARD`, the same as `code start CARD`)."""

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from lossquiz.cli.app import (
    CardArgument,
    DataDirOption,
    DeckOption,
    JsonOption,
    app,
    exit_on_error,
    load_config,
    open_deck,
    print_json,
    scheduler,
)

_LEGACY_FLAGS = {"--check": "check", "--solution": "solution", "--list": "list"}


class _CodeGroup(TyperGroup):
    """`code CARD` means `code start CARD`; the old flags `--check`, `--solution`, `--list` pick a sub-command."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and not any(a in ("-h", "--help") for a in args[:1]):
            for flag, command in _LEGACY_FLAGS.items():
                if flag in args:
                    args = [command, *(a for a in args if a != flag)]
                    break
            else:
                if args[0] not in self.commands:
                    args = ["start", *args]
        return super().parse_args(ctx, args)


code_app = typer.Typer(
    name="code",
    cls=_CodeGroup,
    help="Implement a loss yourself, then check it against the reference, values and gradients.",
    short_help="Implement a loss yourself, checked against the reference.",
    no_args_is_help=True,
)
app.add_typer(code_app)

SeedOption = Annotated[
    int | None, typer.Option("--seed", metavar="N", help="Seed for the random inputs (to reproduce).")
]


@code_app.command("start", short_help="Write a practice file to implement (no solution in it).")
def start(
    query: CardArgument,
    seed: SeedOption = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write DATA_DIR/practice/CARD.py (signature, conventions, no solution) to implement.

    Opens $VISUAL/$EDITOR if set and checks the file when the editor closes (trusted decks only).

    \b
    Examples:
      lossquiz code start dpo
      lossquiz code dpo
    """
    from lossquiz.clock import SystemClock
    from lossquiz.deck import practice_tasks, trust
    from lossquiz.study import practice
    from lossquiz.ui import console, practice_view

    clock, out = SystemClock(), console.out()
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        card, task = practice_tasks.find_task(opened.deck, practice_tasks.load_tasks(opened.deck), query)
        path, created = practice.start_attempt(opened.home, task, card)
        if as_json:  # for scripts: where the attempt is; no editor
            print_json({"card": card.id, "function": task.function, "attempt": str(path), "created": created})
            return
        editor = practice.editor_command()
        if editor and not (verdict := trust.is_trusted(opened.root, opened.home)).trusted:
            editor = None  # editing would end in a check, which cannot run: say so before any work is done
            console.note(f"note: not opening your editor: {verdict.reason}")
        started = practice_view.practice_started(card, task, path, created=created, editor=editor is not None)
        out.print(started, crop=False)  # a path is copied: never wrapped or cut
        if editor is None:
            return
        opened_at = clock.now()
        practice.edit(editor, path)
        duration_ms = int((clock.now() - opened_at).total_seconds() * 1000)
    _check(query, seed, deck, data_dir, as_json=False, duration_ms=duration_ms)


@code_app.command("check", short_help="Check your implementation: values, gradients, edge cases.")
def check(
    query: CardArgument,
    seed: SeedOption = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check your implementation on random inputs and edge cases: all pass → Good, else Again (exit 1).

    Runs the deck's practice/ task file, so a deck other than the built-in one must be trusted.

    Example: lossquiz code check dpo
    """
    _check(query, seed, deck, data_dir, as_json=as_json, duration_ms=0)


def _check(query: str, seed: int | None, deck: Any, data_dir: Any, *, as_json: bool, duration_ms: int) -> None:
    import random

    from lossquiz.clock import SystemClock
    from lossquiz.deck import practice_tasks, trust
    from lossquiz.study import practice
    from lossquiz.ui import console, drill_view, practice_view

    clock = SystemClock()
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        card, task = practice_tasks.find_task(opened.deck, practice_tasks.load_tasks(opened.deck), query)
        trusted = trust.gate(opened.root, opened.home)
        chosen = random.randrange(1_000_000) if seed is None else seed
        cfg = load_config()
        report, outcome = practice.check_and_record(
            card,
            task,
            opened.home,
            trusted,
            now=clock.now,
            seed=chosen,
            duration_ms=duration_ms,
            deck_key=opened.key,
            scheduler_for=lambda store: scheduler(store, cfg),
        )
    if as_json:
        recorded = drill_view.RATING_NAMES[int(report.rating)] if outcome is not None and outcome.recorded else None
        counted = outcome.counted_at if outcome is not None else None
        print_json({**report.to_dict(), "recorded": recorded, "counted_today": counted})
    else:
        console.out().print(practice_view.practice_report(card, task, report, outcome), crop=False)
    if not report.passed:
        raise typer.Exit(code=1)


@code_app.command("solution")
def solution(
    query: CardArgument,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the model solution (after a checked attempt).

    Example: lossquiz code solution dpo
    """
    from lossquiz.deck import practice_tasks
    from lossquiz.progress.store import Store
    from lossquiz.study import practice
    from lossquiz.ui import console, practice_view

    with exit_on_error():
        opened = open_deck(deck, data_dir)
        card, task = practice_tasks.find_task(opened.deck, practice_tasks.load_tasks(opened.deck), query)
        with Store.open(opened.home, deck=opened.key, readonly=True) as store:  # showing it writes nothing
            code = practice.unlocked_solution(task, store, practice.attempt_path(opened.home, card.id))
    if as_json:
        print_json({"card": card.id, "function": task.function, "solution": code, "reference": task.reference})
    else:
        console.out().print(practice_view.practice_solution(card, task, code))


@code_app.command("list")
def list_tasks(
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """The practicable cards and whether you passed them.

    Example: lossquiz code list
    """
    from lossquiz.deck import practice_tasks
    from lossquiz.progress.store import Store
    from lossquiz.study import practice
    from lossquiz.ui import console, practice_view

    with exit_on_error():
        opened = open_deck(deck, data_dir)
        tasks = practice_tasks.load_tasks(opened.deck)
        with Store.open(opened.home, deck=opened.key) as store:
            rows = practice.practice_status(opened.deck, tasks, store, opened.home)
    if as_json:
        print_json([r.to_dict() for r in rows])
    else:
        out = console.out()
        out.print(practice_view.practice_list(rows, width=out.width), soft_wrap=True)
