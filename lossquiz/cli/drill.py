"""`drill`: the timed quiz."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from lossquiz.cli.app import (
    DataDirOption,
    DeckOption,
    KindOption,
    TopicOption,
    app,
    exit_on_error,
    finite,
    open_deck,
)


@app.command()
def drill(
    topic: TopicOption = None,
    kind: KindOption = None,
    card: Annotated[
        list[str] | None, typer.Option("--card", "-c", help="Drill this card now, due or not (repeatable).")
    ] = None,
    cards: Annotated[int, typer.Option("--cards", "-n", min=1, help="At most this many cards.")] = 20,
    minutes: Annotated[
        float | None,
        typer.Option("--minutes", min=0.1, max=24 * 60, callback=finite, help="Session budget in minutes."),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option("--time-limit", min=0, max=24 * 3600, callback=finite, help="Seconds per card (0 = untimed)."),
    ] = 60,
    new: Annotated[int, typer.Option("--new", min=0, help="New cards per day.")] = 10,
    cram: Annotated[
        bool, typer.Option("--cram", help="Review ahead: record answers, leave the schedule alone.")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the random problems.")] = None,
    retention: Annotated[
        float | None,
        typer.Option(
            "--retention",
            callback=finite,
            min=0.7,
            max=0.99,
            help="Desired retention.",
            show_default="0.9, or the one set by `optimize --apply-retention`",
        ),
    ] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A timed quiz: due cards first, then a few new ones. Progress is saved after every answer.

    Keys at any prompt: [bold]s[/] skip, [bold]u[/] undo the last rating, [bold]q[/] quit.
    Concept cards: Enter reveals, then rate [bold]1-4[/] (or a/h/g/e).
    Numeric cards: type a number (0.25, 3/4, 1e-3); graded against the live torch value.

    Example: [bold]lossquiz drill --topic regression --cards 10[/]
    """
    from lossquiz.clock import SystemClock
    from lossquiz.deck import cards as cards_mod
    from lossquiz.deck import trust
    from lossquiz.deck.trust import TrustedDeck
    from lossquiz.errors import UntrustedDeckError
    from lossquiz.progress import settings
    from lossquiz.progress.store import Store, session_summary
    from lossquiz.study.drill import Drill
    from lossquiz.study.queue import DrillOptions
    from lossquiz.ui import console, drill_view
    from lossquiz.ui.prompts import make_prompter
    from lossquiz.worker.client import SnippetRunner

    out, clock = console.out(), SystemClock()
    options = DrillOptions(
        max_cards=cards,
        new_per_day=new,
        minutes=minutes,
        time_limit=time_limit,
        cram=cram,
        topics=tuple(topic or ()),
        kinds=tuple(kind or ()),
        seed=seed,
    )
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        cards_mod.select(opened.deck, topics=list(options.topics), kinds=list(options.kinds))  # validates names
        if card:
            options = replace(options, card_ids=tuple(cards_mod.find_card(opened.deck, q).id for q in card))
        with Store.open(opened.home, deck=opened.key) as store:
            try:  # the code checked now is the code the drill runs, whatever changes on disk later
                trusted: TrustedDeck | None = trust.gate(opened.root, opened.home, store=store)
            except UntrustedDeckError as e:
                trusted = None
                options = replace(options, run_snippets=False)
                console.err().print(drill_view.untrusted_drill(trust.reason_of(e)), soft_wrap=True)
        with Store.open(opened.home, deck=opened.key) as store, SnippetRunner(trusted) as runner:
            parameters, chosen_retention = settings.scheduler_settings(store, retention)  # fitted by `optimize`
            options = replace(options, retention=chosen_retention)
            screen = drill_view.DrillScreen(out)
            session = Drill(
                opened.deck, store, runner, screen, make_prompter(out, clock), clock, options, parameters=parameters
            )
            result = session.run()
            summary = session_summary(store, result.session_id, clock.now())
        if result.empty:
            out.print(drill_view.nothing_due(summary))
            return
        out.print()
        out.print(drill_view.summary(summary, interrupted=result.interrupted, cram=cram))
    if result.interrupted:
        raise typer.Exit(code=130)
