"""`card info|suspend|unsuspend|reset ID`, and `due` (one line for a shell prompt)."""

from typing import Annotated

import typer

from lossquiz.cli.app import DataDirOption, DeckOption, JsonOption, app, exit_on_error, open_deck, print_json

card_app = typer.Typer(
    name="card",
    help="One card's schedule: its review history and memory, suspend, unsuspend, reset.",
    short_help="One card's schedule: info, suspend, unsuspend, reset.",
    no_args_is_help=True,
)
app.add_typer(card_app)

CardArg = Annotated[str, typer.Argument(help="Card id, alias or title words.", metavar="ID")]


@card_app.command("info", short_help="Review history, memory and next due date of one card.")
def card_info(
    card: CardArg, deck: DeckOption = None, data_dir: DataDirOption = None, as_json: JsonOption = False
) -> None:
    """Review history, stability, difficulty, recall probability now, next due.

    Example: lossquiz card info huber
    """
    from lossquiz.cli.app import load_config, scheduler
    from lossquiz.clock import SystemClock
    from lossquiz.deck.cards import find_card
    from lossquiz.progress.cards_info import card_info as info_of
    from lossquiz.progress.store import Store
    from lossquiz.ui import card_admin_view, console

    with exit_on_error():
        cfg, now = load_config(), SystemClock().now()
        opened = open_deck(deck, data_dir)
        found = find_card(opened.deck, card)
        with Store.open(opened.home, deck=opened.key, readonly=True) as store:
            info = info_of(store, store.cards().get(found.id), found.id, found.name, scheduler(store, cfg), now)
    if as_json:
        print_json(info.to_dict())
    else:
        console.out().print(card_admin_view.card_info(info, now))


def _change(card: str, deck: DeckOption, data_dir: DataDirOption, action: str) -> None:
    from lossquiz.deck.cards import find_card
    from lossquiz.progress.store import Store
    from lossquiz.ui import card_admin_view, console

    with exit_on_error():
        opened = open_deck(deck, data_dir)
        found = find_card(opened.deck, card)
        with Store.open(opened.home, deck=opened.key, readonly=True) as store:
            row = store.cards().get(found.id)
        suspended = bool(row and row.suspended)
        if action == "reset" and (row is None or not row.fsrs_json):  # no schedule: never reviewed, or reset
            action = "already new"
        elif action in ("suspend", "unsuspend") and suspended == (action == "suspend"):
            action = "already suspended" if suspended else "not suspended"  # twice said "suspended" twice
        if action in ("reset", "suspend", "unsuspend"):
            with Store.open(opened.home, deck=opened.key) as store:
                store.sync_cards((c.id, c.content_hash()) for c in opened.deck.cards)
                if action == "reset":
                    store.reset_card(found.id)
                else:
                    store.set_suspended(found.id, action == "suspend")
    console.out().print(card_admin_view.changed(found.id, action), soft_wrap=True)


@card_app.command("suspend", short_help="Leave a card out of drills (schedule kept).")
def card_suspend(card: CardArg, deck: DeckOption = None, data_dir: DataDirOption = None) -> None:
    """Leave a card out of every drill (its schedule and history are kept) until card unsuspend."""
    _change(card, deck, data_dir, "suspend")


@card_app.command("unsuspend", short_help="Bring a suspended card back into drills.")
def card_unsuspend(card: CardArg, deck: DeckOption = None, data_dir: DataDirOption = None) -> None:
    """Bring a suspended card back into drills, with the schedule it had."""
    _change(card, deck, data_dir, "unsuspend")


@card_app.command("reset")
def card_reset(card: CardArg, deck: DeckOption = None, data_dir: DataDirOption = None) -> None:
    """Restart a card's schedule as new; its review history is kept."""
    _change(card, deck, data_dir, "reset")


@app.command()
def due(deck: DeckOption = None, data_dir: DataDirOption = None, as_json: JsonOption = False) -> None:
    """One line for a shell prompt: 3 due · 5 new today · next in 2h."""
    from lossquiz.cli.app import load_config
    from lossquiz.clock import SystemClock
    from lossquiz.progress.cards_info import due_line
    from lossquiz.progress.store import Store
    from lossquiz.ui import due_view

    with exit_on_error():
        cfg, now = load_config(), SystemClock().now()
        opened = open_deck(deck, data_dir)
        with Store.open(opened.home, deck=opened.key, readonly=True) as store:
            line = due_line(
                store,
                [c.id for c in opened.deck.cards],
                now=now,
                new_per_day=cfg["new_per_day"],
                day_start_hour=cfg["day_start_hour"],
            )
    if as_json:
        print_json(line.to_dict())
    else:
        print(due_view.due_text(line, now))
