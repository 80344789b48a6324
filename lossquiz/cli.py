"""The command line: parse options, call the core, render. Errors become exit codes here."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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
        _err().print(f"[bold red]error:[/] {e}", markup=True, soft_wrap=True)
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
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="Only this topic (repeatable).")
    ] = None,
    kind: Annotated[
        list[str] | None, typer.Option("--kind", "-k", help="Only this kind (repeatable).")
    ] = None,
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
    query: Annotated[
        str, typer.Argument(help="Card id, alias or title words, e.g. huber, smooth-l1.")
    ],
    no_run: Annotated[
        bool, typer.Option("--no-run", help="Do not run the snippet (no torch).")
    ] = False,
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
        _err().print(
            f"error: snippet '{card.snippet}' failed: {shown.error}", markup=False, soft_wrap=True
        )
        raise typer.Exit(code=4)


@app.command()
def check(
    card_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CARD]...", help="Only these cards (default: all)."),
    ] = None,
    problems: Annotated[
        int, typer.Option("--problems", min=0, help="Random problems per snippet.")
    ] = 20,
    deck: DeckOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the deck, then run every snippet against its reference (exit 4 on disagreement).

    Example: [bold]lossquiz check[/], [bold]lossquiz check huber focal[/]
    """
    from lossquiz import cards, check, paths, render
    from lossquiz.snippets import SnippetRunner

    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        chosen = [cards.find_card(loaded, q) for q in card_ids] if card_ids else list(loaded.cards)
        with SnippetRunner() as runner:
            reports = check.check_snippets(loaded, chosen, runner, problems=problems)
    ok = all(r.ok for r in reports)
    if as_json:
        _print_json(
            {"ok": ok, "cards": len(chosen), "snippets": [check.report_dict(r) for r in reports]}
        )
    else:
        _out().print(render.check_report(reports))
    if not ok:
        raise typer.Exit(code=4)


def main() -> None:
    """Console-script entry point."""
    app()
