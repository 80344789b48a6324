"""The command line: parse options, call the core, render. Errors become exit codes here."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from lossquiz import __version__
from lossquiz.errors import LossquizError

app = typer.Typer(
    name="lossquiz",
    help="Flashcards for deep-learning losses, every formula checked by a live torch snippet.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)

DeckOption = Annotated[
    Path | None,
    typer.Option(
        "--deck",
        help="Deck folder (cards/*.yaml + snippets/*.py). Env: LOSSQUIZ_DECK.",
        show_default="built-in deck",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout, nothing else.")]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where progress is stored. Env: LOSSQUIZ_HOME.",
        show_default="user data dir",
    ),
]
TopicOption = Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")]


def _out() -> Console:
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Print a LossquizError as one line on stderr and exit with its code."""
    try:
        yield
    except LossquizError as e:
        from rich.text import Text

        _err().print(Text.assemble(("error:", "bold red"), f" {e}"), soft_wrap=True)
        raise typer.Exit(code=e.exit_code) from None


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _version(value: bool) -> None:
    if value:
        print(f"lossquiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Flashcards for deep-learning losses, every formula checked by a live torch snippet.

    Start with [bold]lossquiz drill[/]; [bold]lossquiz show huber[/] for a worked example.
    """


@app.command("list")
def list_cards(
    topic: Annotated[list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", "-k", help="Only this kind (repeatable).")] = None,
    deck: DeckOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the cards of the deck, in curriculum order.

    Example: [bold]lossquiz list --topic regression[/]
    """
    from lossquiz import cards, paths, render

    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        selected = cards.select(loaded, topics=topic or [], kinds=kind or [])
    if as_json:
        _print_json([cards.card_summary(c) for c in selected])
        return
    _out().print(render.card_table(selected))


@app.command()
def show(
    query: Annotated[str, typer.Argument(help="Card id, alias or title words, e.g. huber, smooth-l1.")],
    no_run: Annotated[bool, typer.Option("--no-run", help="Do not run the snippet (no torch).")] = False,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Show random problem N instead of the fixed example."),
    ] = None,
    deck: DeckOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one card as a worked example: answer, formula, snippet and live numbers.

    Example: [bold]lossquiz show huber[/], [bold]lossquiz show focal --seed 3[/]
    """
    from lossquiz import cards, paths, render, showing

    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        card = cards.find_card(loaded, query)
        shown = showing.show_card(loaded, card, run=not no_run, seed=seed)
    if as_json:
        _print_json(shown.to_dict())
    else:
        _out().print(render.show(card, shown.source, shown.example, seed=seed))
    if shown.error:
        _err().print(f"error: snippet '{card.snippet}' failed: {shown.error}", markup=False, soft_wrap=True)
        raise typer.Exit(code=4)


@app.command()
def check(
    card_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CARD]...", help="Only these cards (default: all)."),
    ] = None,
    problems: Annotated[int, typer.Option("--problems", min=0, help="Random problems per snippet.")] = 20,
    deck: DeckOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the deck, then run every snippet against its reference (exit 4 on disagreement).

    Example: [bold]lossquiz check[/], [bold]lossquiz check huber focal[/]
    """
    from lossquiz import cards, check, paths, practice_tasks, render
    from lossquiz.snippets import SnippetRunner

    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        practice_tasks.load_tasks(loaded)  # the deck's implement-it tasks are part of the deck: validate them too
        chosen = [cards.find_card(loaded, q) for q in card_ids] if card_ids else list(loaded.cards)
        with SnippetRunner() as runner:
            reports = check.check_snippets(loaded, chosen, runner, problems=problems)
    ok = all(r.ok for r in reports)
    if as_json:
        _print_json({"ok": ok, "cards": len(chosen), "snippets": [check.report_dict(r) for r in reports]})
    else:
        _out().print(render.check_report(reports))
    if not ok:
        raise typer.Exit(code=4)


@app.command()
def drill(
    topic: TopicOption = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", "-k", help="Only this kind (repeatable).")] = None,
    card: Annotated[
        list[str] | None, typer.Option("--card", "-c", help="Drill this card now, due or not (repeatable).")
    ] = None,
    cards: Annotated[int, typer.Option("--cards", "-n", min=1, help="At most this many cards.")] = 20,
    minutes: Annotated[float | None, typer.Option("--minutes", min=0.1, help="Session budget in minutes.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", min=0, help="Seconds per card (0 = untimed).")] = 60,
    new: Annotated[int, typer.Option("--new", min=0, help="New cards per day.")] = 10,
    cram: Annotated[
        bool, typer.Option("--cram", help="Review ahead: record answers, leave the schedule alone.")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the random problems.")] = None,
    retention: Annotated[float, typer.Option("--retention", min=0.7, max=0.99, help="Desired retention.")] = 0.9,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A timed quiz: due cards first, then a few new ones. Progress is saved after every answer.

    Keys at any prompt: [bold]s[/] skip, [bold]u[/] undo the last rating, [bold]q[/] quit.
    Concept cards: Enter reveals, then rate [bold]1-4[/] (or a/h/g/e).
    Numeric cards: type a number (0.25, 3/4, 1e-3); graded against the live torch value.

    Example: [bold]lossquiz drill --topic regression --cards 10[/]
    """
    from lossquiz import cards as cards_mod
    from lossquiz import paths, render
    from lossquiz.clock import SystemClock
    from lossquiz.drill import Drill
    from lossquiz.prompts import make_prompter
    from lossquiz.session import DrillOptions
    from lossquiz.snippets import SnippetRunner
    from lossquiz.storage import Store, session_summary

    out, clock = _out(), SystemClock()
    options = DrillOptions(
        max_cards=cards,
        new_per_day=new,
        minutes=minutes,
        time_limit=time_limit,
        cram=cram,
        topics=tuple(topic or ()),
        kinds=tuple(kind or ()),
        seed=seed,
        retention=retention,
    )
    with exit_on_error():
        loaded = cards_mod.load_deck(paths.deck_dir(deck))
        cards_mod.select(loaded, topics=list(options.topics), kinds=list(options.kinds))  # validates names
        if card:
            options = replace(options, card_ids=tuple(cards_mod.find_card(loaded, q).id for q in card))
        with Store.open(paths.data_dir(data_dir)) as store, SnippetRunner() as runner:
            session = Drill(loaded, store, runner, out, make_prompter(out, clock), clock, options)
            result = session.run()
            if result.empty:
                out.print(render.nothing_due(session_summary(store, None, clock.now())))
                return
            out.print()
            out.print(
                render.summary(
                    session_summary(store, result.session_id, clock.now()),
                    interrupted=result.interrupted,
                    cram=cram,
                )
            )
    if result.interrupted:
        raise typer.Exit(code=130)


@app.command("code")
def code(
    query: Annotated[str | None, typer.Argument(metavar="CARD", help="Card id or alias, e.g. huber.")] = None,
    check_: Annotated[
        bool, typer.Option("--check", help="Check your implementation and record a review (pass → Good).")
    ] = False,
    list_: Annotated[bool, typer.Option("--list", help="The practicable cards and whether you passed them.")] = False,
    solution: Annotated[
        bool, typer.Option("--solution", help="Show the model solution (after a checked attempt).")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the random inputs (to reproduce).")] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Implement a loss yourself, then check it against the reference, values and gradients.

    [bold]lossquiz code huber[/] writes <data dir>/practice/huber.py (signature, conventions, no
    solution) and opens $VISUAL/$EDITOR if set, checking when the editor closes.
    [bold]lossquiz code huber --check[/] runs it on random inputs and edge cases; all pass → Good,
    else Again (exit 1). [bold]lossquiz code --list[/] shows every practicable card.

    Example: [bold]lossquiz code dpo[/], [bold]lossquiz code dpo --check[/], [bold]lossquiz code --list[/]
    """
    import random

    from lossquiz import cards, paths, practice, practice_tasks, render
    from lossquiz.clock import SystemClock
    from lossquiz.storage import Store

    clock, out = SystemClock(), _out()
    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        tasks, home = practice_tasks.load_tasks(loaded), paths.data_dir(data_dir)
        if list_:
            with Store.open(home) as store:
                rows = practice.practice_status(loaded, tasks, store, home)
            if as_json:
                _print_json([r.to_dict() for r in rows])
            else:
                out.print(render.practice_list(rows))
            return
        if query is None:
            raise typer.BadParameter("give a card (lossquiz code huber) or --list", param_hint="CARD")
        card, task = practice_tasks.find_task(loaded, tasks, query)
        if solution:
            with Store.open(home) as store:
                code = practice.unlocked_solution(task, store)
            if as_json:
                _print_json({"card": card.id, "function": task.function, "solution": code, "reference": task.reference})
            else:
                out.print(render.practice_solution(card, task, code))
            return
        duration_ms = 0
        if not check_:
            path, created = practice.start_attempt(home, task, card)
            if as_json:  # for scripts: where the attempt is; no editor
                _print_json({"card": card.id, "function": task.function, "attempt": str(path), "created": created})
                return
            editor = practice.editor_command()
            started = render.practice_started(card, task, path, created=created, editor=editor is not None)
            out.print(started, crop=False)  # a path is copied: never wrapped or cut
            if editor is None:
                return
            opened = clock.now()
            practice.edit(editor, path)
            duration_ms = int((clock.now() - opened).total_seconds() * 1000)
        chosen = random.randrange(1_000_000) if seed is None else seed
        report, interval = practice.check_and_record(
            card, task, home, now=clock.now, seed=chosen, duration_ms=duration_ms
        )
    if as_json:
        _print_json(
            {**report.to_dict(), "recorded": render.RATING_NAMES[int(report.rating)] if report.started else None}
        )
    else:
        out.print(render.practice_report(card, task, report, interval), crop=False)
    if not report.passed:
        raise typer.Exit(code=1)


def main() -> None:
    """Console-script entry point."""
    app()
