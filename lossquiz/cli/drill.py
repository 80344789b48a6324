"""`drill`: the timed quiz."""

import shlex
from dataclasses import replace
from typing import Annotated

import typer

from lossquiz.cli.app import (
    DataDirOption,
    DeckOption,
    KindOption,
    TopicOption,
    app,
    complete_card,
    exit_on_error,
    finite,
    load_config,
    none_match,
    open_deck,
    scheduler,
    seconds,
)


@app.command()
def drill(
    topic: TopicOption = None,
    kind: KindOption = None,
    card: Annotated[
        list[str] | None,
        typer.Option(
            "--card",
            "-c",
            metavar="CARD",
            help="Drill this card now, due or not (repeatable).",
            autocompletion=complete_card,
        ),
    ] = None,
    cards: Annotated[int, typer.Option("--cards", "-n", metavar="N", min=1, help="At most this many cards.")] = 20,
    minutes: Annotated[
        float | None,
        typer.Option(
            "--minutes", metavar="MINUTES", min=0.1, max=24 * 60, callback=finite, help="Session budget in minutes."
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            metavar="SECONDS",
            parser=seconds,
            help="Seconds per card (0 = untimed).",
            show_default="60, or config",
        ),
    ] = None,
    new: Annotated[
        int | None,
        typer.Option(
            "--new",
            metavar="N",
            min=0,
            help="New cards in this session, whatever the daily count.",
            show_default="what is left of today's new_per_day (config, 10)",
        ),
    ] = None,
    cram: Annotated[
        bool, typer.Option("--cram", help="Review ahead: record answers, leave the schedule alone.")
    ] = False,
    seed: Annotated[int | None, typer.Option("--seed", metavar="N", help="Seed for the random problems.")] = None,
    retention: Annotated[
        float | None,
        typer.Option(
            "--retention",
            metavar="R",
            callback=finite,
            min=0.7,
            max=0.99,
            help="Desired retention.",
            show_default="fitted by optimize, else config, else 0.9",
        ),
    ] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """A timed quiz: due cards first, then a few new ones. Progress is saved after every answer.

    \b
    Keys at any prompt: s skip, u undo the last rating, q quit.
    Concept cards: Enter reveals, then rate 1-4 (or a/h/g/e).
    Numeric cards: type a number (0.25, 3/4, 1e-3), graded against the live
      torch value.
    Formula cards: type the expression (0.5*r^2, sigmoid(z) - y), graded on
      21 problems.

    Example: lossquiz drill --topic regression --cards 10
    """
    from lossquiz.clock import SystemClock, next_day_start
    from lossquiz.deck import cards as cards_mod
    from lossquiz.deck import trust
    from lossquiz.deck.trust import TrustedDeck
    from lossquiz.errors import UntrustedDeckError
    from lossquiz.progress.store import Store, session_summary
    from lossquiz.study.drill import Drill
    from lossquiz.study.queue import DrillOptions
    from lossquiz.ui import console, drill_view
    from lossquiz.ui.prompts import make_prompter
    from lossquiz.worker.client import SnippetRunner

    with exit_on_error():
        cfg = load_config()
        clock = SystemClock()
    out = console.out()
    options = DrillOptions(
        max_cards=cards,
        new_per_day=cfg["new_per_day"],
        session_new=new,
        minutes=minutes,
        time_limit=time_limit if time_limit is not None else cfg["time_limit"],
        cram=cram,
        topics=tuple(t.strip().lower() for t in topic or ()),
        kinds=tuple(kind or ()),
        seed=seed,
    )
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        chosen = cards_mod.select(opened.deck, topics=list(options.topics), kinds=list(options.kinds))  # validates
        if not chosen and not card:  # not "nothing is due … review ahead with --cram": there is nothing to drill
            console.says(out, none_match(list(options.topics), list(options.kinds)))
            return
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
            in_force = scheduler(store, cfg, retention)  # fitted by `optimize`, the day rule, fuzz
            options = replace(options, retention=in_force.retention)
            screen = drill_view.DrillScreen(out)
            session = Drill(
                opened.deck, store, runner, screen, make_prompter(out, clock), clock, options, scheduler=in_force
            )
            result = session.run()
            now = clock.now()
            wanted = result.plan.wanted if result.plan is not None else None
            end_of_day = next_day_start(now, hour=in_force.day_start_hour)
            summary = session_summary(store, result.session_id, now, day_end=end_of_day, slugs=wanted)
        scope = drill_view.scope(topics=options.topics, kinds=options.kinds, card_ids=options.card_ids)
        if result.empty:
            out.print(
                drill_view.nothing_due(summary, result.plan, now, scope=scope, cram=cram, untrusted=trusted is None)
            )
            return
        out.print()
        shown = drill_view.summary(
            summary,
            interrupted=result.interrupted,
            cram=cram,
            now=now,
            skipped=result.skipped,
            scope=scope,
            time_budget=options.minutes if result.out_of_time else None,
            deck=f"--deck {shlex.quote(str(deck))}" if deck is not None else "",
        )
        out.print(shown)
        if result.plan is not None and result.daily_limit_reached and not result.plan.limit_already_reached:
            out.print(drill_view.new_limit(result.plan, result.introduced_today))
    if result.interrupted:
        raise typer.Exit(code=130)
