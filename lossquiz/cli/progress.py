"""Progress: `stats`, `history export|import`, `optimize`."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from lossquiz.cli.app import (
    DataDirOption,
    DeckOption,
    ForceOption,
    JsonOption,
    TopicOption,
    app,
    exit_on_error,
    finite,
    guard_output,
    print_json,
)


@app.command()
def stats(
    topic: TopicOption = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Progress: what is due, what you know, where the weak spots are.

    \b
    Examples:
      lossquiz stats
      lossquiz stats --topic regression --json
    """
    from lossquiz.cli.app import load_config, open_deck
    from lossquiz.clock import SystemClock
    from lossquiz.progress.stats import compute_stats
    from lossquiz.progress.store import Store
    from lossquiz.ui import console, stats_view

    with exit_on_error():
        cfg = load_config()
        opened = open_deck(deck, data_dir)
        with Store.open(opened.home, deck=opened.key, readonly=True) as store:
            figures = compute_stats(
                store, opened.deck, now=SystemClock().now(), topics=topic or [], day_start_hour=cfg["day_start_hour"]
            )
            # No reviews of this deck right after importing another deck's history looked like a failed import.
            others = store.other_decks_reviews() if figures.empty else {}
    if as_json:
        print_json(figures.to_dict())
        return
    console.out().print(stats_view.stats_empty(figures) if figures.empty else stats_view.stats_view(figures))
    if others:
        from lossquiz.ui import history_view

        console.note(history_view.other_decks_for_stats(others))


history_app = typer.Typer(
    name="history",
    help="Export or import your review history (JSON Lines), e.g. to move it to another machine.",
    short_help="Export or import your review history (JSON Lines).",
    no_args_is_help=True,
)
app.add_typer(history_app)


@history_app.command("export", short_help="Write every review and card state as JSON Lines.")
def history_export(
    file: Annotated[
        Path | None, typer.Argument(metavar="FILE", help="Write here instead of stdout.", show_default=False)
    ] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Every review, session and card state of one deck (--deck, else the built-in one) as JSON
    Lines (a header line first); other decks' reviews are exported with their own --deck.

    Example: lossquiz history export backup.jsonl
    """
    from lossquiz import paths
    from lossquiz.cli.app import load_config, scheduler
    from lossquiz.clock import SystemClock
    from lossquiz.progress import history
    from lossquiz.progress.store import Store
    from lossquiz.ui import console, history_view

    home = paths.data_dir(data_dir)
    with exit_on_error():
        if file is not None and str(file) != "-":
            guard_output(file, home, force=force)
    with exit_on_error():
        root = paths.deck_dir(deck)
    if not (root / "cards").is_dir():  # a mistyped --deck exported "0 reviews" and said nothing more
        console.note(f"warning: there is no deck at {root}: exporting what progress holds under that name")
    with exit_on_error(), Store.open(home, deck=paths.deck_key(root), readonly=True) as store:
        now = SystemClock().now()
        in_force = scheduler(store, load_config())
        if not store.exists:
            console.note(f"no history yet in {home}: the export holds only its header")
        if file is None or str(file) == "-":
            sys.stdout.writelines(history.export_lines(store, now=now, scheduler=in_force))
            return
        counts = history.export_file(store, file, now=now, scheduler=in_force)
        others = store.other_decks_reviews()
    console.out().print(history_view.exported(counts, str(file), deck=store.deck), soft_wrap=True)
    if others:
        console.note(history_view.other_decks(others))


@history_app.command("import", short_help="Merge a history file into your progress.")
def history_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A file from history export ('-' reads stdin).")],
    retention: Annotated[
        float | None,
        typer.Option(
            "--retention",
            metavar="R",
            min=0.7,
            max=0.99,
            callback=finite,
            help="Desired retention for rebuilt schedules of a file that does not name one.",
            show_default="the one in use",
        ),
    ] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge a history file into one deck's progress: reviews already stored are skipped, schedules rebuilt.

    The deck is the one the file was exported from (its header names it), unless --deck picks
    another. The whole file is checked first; if any line is bad, nothing is imported.

    Example: lossquiz history import backup.jsonl
    """
    from lossquiz import paths
    from lossquiz.cli.app import load_config, scheduler
    from lossquiz.progress import history
    from lossquiz.progress.history_format import opened, read
    from lossquiz.progress.store import Store
    from lossquiz.ui import console, history_view

    # Into the deck the file holds (its header names it), unless --deck picks another: a file of
    # your own deck, imported without --deck, went into the built-in deck's progress. The header
    # comes from the same read as the rest, so `history export | history import -` keeps the deck.
    with exit_on_error(), opened(file) as source:
        named = source.deck if deck is None else None
        root = paths.deck_dir(deck) if named is None else (paths.builtin_deck() if named == "" else Path(named))
        key = named if named is not None else paths.deck_key(root)
        home = paths.data_dir(data_dir)
        # The whole file is checked before the store is opened for writing: a bad file creates nothing.
        with Store.open(home, deck=key, readonly=True) as seen:
            parsed = read(source, known=seen.cards().keys())
        with Store.open(home, deck=key) as store:
            config = scheduler(store, load_config(), retention)
            result = history.import_parsed(store, parsed, where=source.where, scheduler=config)
    missing = _not_in_deck(root, result.reviewed)
    if not as_json:
        if named:
            console.note(f"note: the file holds deck {named}: imported into its progress (--deck picks another)")
        if missing is None:
            console.note(
                f"warning: there is no deck at {root}: the reviews are kept under that name, but no deck here "
                "shows them (--deck DIR imports into a deck you have)"
            )
        elif missing:
            shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
            console.note(
                f"warning: {len(missing)} of the file's {len(result.reviewed)} reviewed cards are not in "
                f"deck {root} ({shown}): their reviews are kept, but its drills and stats do not show them "
                "(was the file exported from another deck?)"
            )
    if as_json:
        print_json({**result.to_dict(), "deck": str(root), "cards_not_in_deck": missing})
    else:
        console.out().print(history_view.imported(result, "stdin" if str(file) == "-" else str(file)), soft_wrap=True)


def _not_in_deck(root: Path, reviewed: frozenset[str]) -> list[str] | None:
    """The reviewed card ids that deck `root` has no card (or alias) for; None if no deck is there."""
    from lossquiz.deck.cards import load_deck
    from lossquiz.errors import LossquizError

    if not (root / "cards").is_dir():
        return None
    try:
        deck = load_deck(root)
    except LossquizError:
        return []  # a deck that does not load is reported by the commands that use it
    known = {name for card in deck.cards for name in (card.id, *card.aliases)}
    return sorted(reviewed - known)


@app.command(short_help="Fit the FSRS scheduler to your own review history.")
def optimize(
    show_only: Annotated[bool, typer.Option("--show", help="Only print the parameters in use; fit nothing.")] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget fitted parameters and retention: back to defaults.")
    ] = False,
    apply_retention: Annotated[
        bool, typer.Option("--apply-retention", help="Also make the workload-minimising retention the drill default.")
    ] = False,
    estimate_retention: Annotated[
        bool | None,
        typer.Option(
            "--retention/--no-retention",
            help="Also simulate the workload-minimising retention (a few seconds; --apply-retention implies it).",
            show_default="no",
        ),
    ] = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the FSRS scheduler to your own review history; drills use the fitted parameters from then on.

    Needs 512 reviews made on a later day than the card's previous review (cram and undone
    reviews do not count). Fits with fsrs-rs (the FSRS inside Anki) in about a second.

    \b
    Examples:
      lossquiz optimize
      lossquiz optimize --show
      lossquiz optimize --reset
    """
    from lossquiz import paths
    from lossquiz.clock import SystemClock
    from lossquiz.progress import fitting, settings
    from lossquiz.progress.store import Store
    from lossquiz.ui import console, optimize_view

    no_retention = estimate_retention is False
    if sum((show_only, reset, apply_retention or estimate_retention is not None)) > 1:
        raise typer.BadParameter("use one of --show, --reset, or a fit (optionally --apply-retention)")
    if apply_retention and no_retention:
        raise typer.BadParameter("--apply-retention needs the retention simulation; drop --no-retention")
    from lossquiz.cli.app import load_config

    with exit_on_error(), Store.open(paths.data_dir(data_dir)) as store:
        day_start_hour = load_config()["day_start_hour"]
        if show_only or reset:
            removed = settings.reset(store) if reset else None
            current = fitting.in_use(store)
        else:
            with console.err().status("fitting FSRS to your review history…"):
                fit = fitting.optimize(
                    store,
                    now=SystemClock().now(),
                    retention=bool(estimate_retention),
                    apply_retention=apply_retention,
                    day_start_hour=day_start_hour,
                )
    if show_only or reset:
        if as_json:
            print_json({**({"reset": removed} if reset else {}), **current.to_dict()})
        else:
            console.out().print(optimize_view.parameters_in_use(current, reset=removed))
    elif as_json:
        print_json(fit.to_dict())
    else:
        console.out().print(optimize_view.fit_report(fit))
