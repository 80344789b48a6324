"""Browsing and verifying a deck: `list`, `show`, `check`, `trust`, `untrust`."""

from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from lossquiz.cli.app import (
    DataDirOption,
    DeckOption,
    JsonOption,
    KindOption,
    TopicOption,
    app,
    complete_card,
    exit_on_error,
    none_match,
    open_deck,
    print_json,
)
from lossquiz.errors import UntrustedDeckError


@app.command("list")
def list_cards(
    topic: TopicOption = None,
    kind: KindOption = None,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page (default: a pager when taller than the terminal).")
    ] = False,
    deck: DeckOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the cards of the deck, in curriculum order.

    Taller than the terminal, it goes through a pager: LOSSQUIZ_PAGER, else
    PAGER, else less -FRX.

    Example: lossquiz list --topic regression
    """
    from lossquiz.deck import cards
    from lossquiz.ui import card_view, console

    with exit_on_error():
        opened = open_deck(deck)
        selected = cards.select(opened.deck, topics=topic or [], kinds=kind or [])
    if as_json:
        print_json([cards.card_summary(c) for c in selected])
        return
    out = console.out()
    if not selected:  # not an empty table's header: say what matched nothing
        console.says(out, none_match(topic or [], kind or []))
        return
    listed = card_view.card_table(selected, out.width if out.is_terminal else None)
    pager = None if no_pager else console.pager_command()
    console.print_paged(out, listed, lines=listed.plain.count("\n") + 1, pager=pager)


@app.command(short_help="A card as a worked example, with live numbers.")
def show(
    query: Annotated[
        str,
        typer.Argument(
            metavar="QUERY", help="Card id, alias or title words, e.g. huber, smooth-l1.", autocompletion=complete_card
        ),
    ],
    no_run: Annotated[bool, typer.Option("--no-run", help="Do not run the snippet (no torch).")] = False,
    seed: Annotated[
        int | None,
        typer.Option("--seed", metavar="N", help="Show random problem N instead of the fixed example."),
    ] = None,
    plot: Annotated[
        bool, typer.Option("--plot", help="Draw the card's curves in the terminal (computed by its snippet).")
    ] = False,
    whole_source: Annotated[
        bool, typer.Option("--source", help="Show the snippet's whole file, not just loss() and reference().")
    ] = False,
    no_pager: Annotated[
        bool, typer.Option("--no-pager", help="Never page (default: a pager when taller than the terminal).")
    ] = False,
    answer: Annotated[
        str | None,
        typer.Option(
            "--answer",
            metavar="EXPR",
            help="Try a formula (e.g. 0.5*r^2) against the card's formula card; exit 1 if it is wrong.",
        ),
    ] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one card as a worked example: answer, formula, live numbers and the snippet's code.

    Taller than the terminal, it goes through a pager: LOSSQUIZ_PAGER, else
    PAGER, else less -FRX.

    A deck other than the built-in one runs its snippets only once trusted (lossquiz trust).

    \b
    Examples:
      lossquiz show huber
      lossquiz show focal --seed 3
      lossquiz show focal --plot
    """
    from lossquiz.deck import cards
    from lossquiz.study import worked_example
    from lossquiz.ui import console, show_view

    if answer is not None:
        if plot or no_run or seed is not None:
            message = "--answer grades a formula; drop --plot, --no-run and --seed"
            raise typer.BadParameter(message, param_hint="--answer")
        _show_answer(query, answer, deck, data_dir, as_json=as_json)
        return
    if plot:
        if no_run or seed is not None:
            raise typer.BadParameter(
                "--plot draws curves from the snippet; drop --no-run and --seed", param_hint="--plot"
            )
        _show_plot(query, deck, data_dir, as_json=as_json)
        return
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        card = cards.find_card(opened.deck, query)
        run = not no_run and card.snippet is not None
        trusted = None
        if run:
            from lossquiz.deck import trust

            try:
                trusted = trust.gate(opened.root, opened.home)
            except UntrustedDeckError as e:
                console.note(f"note: showing without running the snippet: {trust.reason_of(e)}")
                run = False
        shown = worked_example.for_card(opened.deck, card, run=run, seed=seed, trusted=trusted)
    if as_json:
        print_json(shown.to_dict())
    else:
        out = console.out()
        plain = not out.is_terminal  # piped: plain text, code unboxed and whole
        code = shown.source if whole_source or shown.source is None else worked_example.core_source(shown.source)
        view = show_view.worked_card(card, code, shown.example, seed=seed, plain=plain)
        show_view.print_show(out, view, pager=None if no_pager else console.pager_command())
    if shown.error:
        console.error(f"snippet '{card.snippet}' failed: {shown.error}")
        raise typer.Exit(code=4)


def _show_answer(query: str, text: str, deck: Path | None, data_dir: Path | None, *, as_json: bool) -> None:
    """`show CARD --answer EXPR`: grade a typed formula on the fixed example and 20 random problems."""
    import random

    from lossquiz.deck import cards, trust
    from lossquiz.errors import UsageError
    from lossquiz.study import recall
    from lossquiz.study.expression import ExpressionError
    from lossquiz.ui import card_view, console, drill_view
    from lossquiz.worker.client import SnippetRunner

    with exit_on_error():
        opened = open_deck(deck, data_dir)
        asked = cards.find_card(opened.deck, query)
        card = recall.formula_card_for(opened.deck, asked)
        which = recall.checked_against(opened.deck, asked, card)
        try:
            parsed = recall.read(card, text)
        except ExpressionError as e:
            raise UsageError(f"--answer: {e}{which}") from None
        trusted = trust.gate(opened.root, opened.home)
        path = opened.deck.snippet_path(card)
        assert path is not None
        with SnippetRunner(trusted) as runner:
            try:
                verdict = recall.grade_formula(runner, path, card, parsed, recall.seeds(random.Random()))
            except recall.Retry as e:
                raise UsageError(f"--answer: {e}{which}") from None
    if as_json:
        print_json({"card": card.id, "you_wrote": verdict.wrote, **asdict(verdict)})
    else:
        out = console.out()
        out.print(f"card: {card.id} — {card.name}", markup=False)
        out.print(card_view.labelled("you wrote:", verdict.wrote))
        out.print(drill_view.formula_verdict(verdict))
    if not verdict.right:
        raise typer.Exit(code=1)


def _show_plot(query: str, deck: Path | None, data_dir: Path | None, *, as_json: bool) -> None:
    from lossquiz.deck import cards, trust
    from lossquiz.study import plots
    from lossquiz.ui import console, show_view

    with exit_on_error():
        opened = open_deck(deck, data_dir)
        card = cards.find_card(opened.deck, query)
        plots.require_plot(opened.deck, card)
        found = plots.card_plots(opened.deck, card, trusted=trust.gate(opened.root, opened.home))
    if as_json:
        print_json({"id": card.id, "snippet": card.snippet, "plots": [p.to_dict() for p in found]})
        return
    out = console.out()
    color = out.color_system is not None and not out.no_color
    width, height = max(min(out.width, 120), 40), 22
    drawn = [(p, show_view.plot_text(p, width=width, height=height, color=color)) for p in found]
    out.print(show_view.plots(card, drawn))


@app.command(short_help="Validate the deck and check every snippet's numbers.")
def check(
    card_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CARD]...", help="Only these cards (default: all).", autocompletion=complete_card),
    ] = None,
    problems: Annotated[int, typer.Option("--problems", metavar="N", min=0, help="Random problems per snippet.")] = 20,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the deck, then run every snippet against its reference (exit 4 on disagreement).

    A deck other than the built-in one must be trusted first (lossquiz trust); else exit 1.

    \b
    Examples:
      lossquiz check
      lossquiz check huber focal
    """
    from lossquiz.deck import cards, practice_tasks, trust
    from lossquiz.errors import LossquizError
    from lossquiz.study import verify
    from lossquiz.worker.client import SnippetRunner

    with exit_on_error(), ExitStack() as stack:  # a worker per core: snippets run in parallel, reports in order
        opened = open_deck(deck, data_dir)
        refused: LossquizError | None = None
        try:  # the workers start importing torch now, while the practice tasks are validated
            trusted = trust.gate(opened.root, opened.home)
            chosen = [cards.find_card(opened.deck, q) for q in card_ids] if card_ids else list(opened.deck.cards)
            runners = [stack.enter_context(SnippetRunner(trusted)) for _ in range(verify.pool_size(chosen))]
            for each in runners if any(c.snippet for c in chosen) else []:
                each.start()
        except LossquizError as e:
            refused = e  # raised after the deck's own errors, which come first as before
        practice_tasks.load_tasks(opened.deck)  # the deck's implement-it tasks are part of the deck: validate them
        if refused is not None:
            raise refused
        reports = verify.check_snippets(opened.deck, chosen, runners, problems=problems)
    from lossquiz.ui import check_view, console

    ok = all(r.ok for r in reports)
    if as_json:
        print_json({"ok": ok, "cards": len(chosen), "snippets": [verify.report_dict(r) for r in reports]})
    else:
        console.out().print(check_view.check_report(reports, len(chosen)))
    if not ok:
        raise typer.Exit(code=4)


@app.command("trust", short_help="Allow a deck's snippets and practice tasks to run.")
def trust_deck(
    deck_dir: Annotated[
        Path | None, typer.Argument(metavar="DECK_DIR", help="The deck folder whose snippets may run.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List trusted decks and whether they changed.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Allow a deck's code to run: snippets/ (show, check, drill, export) and practice/ (code check).

    Changing, adding or removing any file in either folder revokes it. Read them first: they
    run with your permissions.

    \b
    Examples:
      lossquiz trust mydeck
      lossquiz trust --list
    """
    from lossquiz import paths
    from lossquiz.clock import SystemClock
    from lossquiz.deck import trust
    from lossquiz.progress.store import Store
    from lossquiz.ui import console, trust_view

    if list_ == (deck_dir is not None):
        raise typer.BadParameter("give a DECK_DIR to trust, or --list", param_hint="DECK_DIR")
    with exit_on_error(), Store.open(paths.data_dir(data_dir), readonly=list_) as store:
        if deck_dir is None:
            entries = trust.entries(store)
            if as_json:
                print_json([asdict(e) for e in entries])
            else:
                console.out().print(trust_view.trusted_decks(entries))
            return
        digest = trust.trust(deck_dir, store, now=SystemClock().now())
    if as_json:
        print_json({"deck": str(deck_dir.resolve()), "sha256": digest.sha256, "files": list(digest.files)})
    else:
        console.out().print(trust_view.trusted(deck_dir, digest, builtin=trust.is_builtin(deck_dir)), soft_wrap=True)


@app.command(short_help="Stop running a deck's snippets and practice tasks.")
def untrust(
    deck_dir: Annotated[Path, typer.Argument(metavar="DECK_DIR", help="The deck folder to stop trusting.")],
    data_dir: DataDirOption = None,
) -> None:
    """Stop trusting a deck: its snippets and practice tasks no longer run.

    Example: lossquiz untrust mydeck
    """
    from lossquiz import paths
    from lossquiz.deck import trust
    from lossquiz.progress.store import Store
    from lossquiz.ui import console

    with exit_on_error(), Store.open(paths.data_dir(data_dir)) as store:
        trust.untrust(deck_dir, store)
    console.says(console.out(), f"no longer trusted: {deck_dir.resolve()}")
