"""Notes in, decks out: `import` and `export`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from lossquiz.cli.app import (
    DataDirOption,
    DeckOption,
    ForceOption,
    JsonOption,
    app,
    exit_on_error,
    guard_output,
    open_deck,
    print_json,
)

if TYPE_CHECKING:
    from lossquiz.cli.app import Opened


class NotesFormat(str, Enum):
    """What `import --format` reads (default: recognised from the file's content)."""

    lossquiz = "lossquiz"
    obsidian = "obsidian"
    hashcards = "hashcards"
    logseq = "logseq"
    apkg = "apkg"


@app.command("import", short_help="Turn Markdown notes (Obsidian, Logseq) or .apkg into a deck.")
def import_notes(
    notes: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="Notes (lossquiz, Obsidian spaced repetition, hashcards, Logseq) or an Anki .apkg/.colpkg.",
        ),
    ],
    into: Annotated[
        Path,
        typer.Option("--into", metavar="DECK_DIR", help="The deck folder to create, or update from the same notes."),
    ],
    fmt: Annotated[
        NotesFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="lossquiz, obsidian, hashcards, logseq or apkg (default: by content).",
        ),
    ] = None,
    skip_unreadable: Annotated[
        bool, typer.Option("--skip-unreadable", help="Import the rest when some blocks cannot be read (still listed).")
    ] = False,
    with_history: Annotated[
        bool, typer.Option("--with-history", help="apkg: replay Anki's review log into your progress.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace a deck that was not imported from FILE.")] = False,
    as_json: JsonOption = False,
    data_dir: DataDirOption = None,
) -> None:
    """Turn Markdown notes (lossquiz, Obsidian, hashcards, Logseq) or an Anki .apkg into a deck; ids stay stable.

    \b
    Examples:
      lossquiz import notes.md --into mydeck
      lossquiz drill --deck mydeck
    """
    from lossquiz.deck import notes_import
    from lossquiz.ui import console, notes_view

    with exit_on_error():
        result = notes_import.import_notes(
            notes, into, force=force, fmt=fmt.value if fmt else None, skip_unreadable=skip_unreadable
        )
        replayed = _replay(result, data_dir) if with_history and result.format == "apkg" else None
    if as_json:
        print_json({**result.to_dict(), "history": replayed.to_dict() if replayed else None})
        return
    console.out().print(notes_view.import_summary(result, replayed, with_history=with_history), soft_wrap=True)


def _replay(result: Any, data_dir: Path | None) -> Any:
    """An Anki package's review log merged into the new deck's progress."""
    from lossquiz import paths
    from lossquiz.cli.app import load_config, scheduler
    from lossquiz.deck.cards import load_deck
    from lossquiz.progress.package_history import import_reviews
    from lossquiz.progress.store import Store

    deck = load_deck(result.deck)
    cards = [(c.id, c.content_hash()) for c in deck.cards]
    reviews = [(r.slug, r.reviewed_at, r.rating, r.duration_ms, r.cram) for r in result.reviews]
    with Store.open(paths.data_dir(data_dir), deck=paths.deck_key(paths.deck_dir(result.deck))) as store:
        in_force = scheduler(store, load_config())  # as a drill here would have scheduled them
        return import_reviews(store, cards, reviews, where=str(result.notes), scheduler=in_force)


class ExportFormat(str, Enum):
    """What `export` writes."""

    anki = "anki"
    apkg = "apkg"
    md = "md"
    json = "json"


@app.command(short_help="Export the deck: Anki .apkg/.txt/.tsv, Markdown, JSON.")
def export(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Output file; '-' for stdout.", show_default="stdout")
    ] = "-",
    fmt: Annotated[
        ExportFormat | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="anki (text), apkg (Anki package), md or json (default: from FILE's suffix).",
            show_default=False,
        ),
    ] = None,
    no_run: Annotated[bool, typer.Option("--no-run", help="md: do not compute worked examples (no torch).")] = False,
    with_history: Annotated[
        bool, typer.Option("--with-history", help="apkg: include your review log and each card's schedule.")
    ] = False,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Export the deck: Anki .apkg or text (.txt/.tsv), a Markdown cheat sheet with live numbers, or JSON.

    \b
    Examples:
      lossquiz export --format anki lossquiz.txt
      lossquiz export sheet.md
    """
    from lossquiz.deck import export as ex
    from lossquiz.deck import trust
    from lossquiz.ui import console

    kind = fmt.value if fmt else ex.guess_format(file)
    if kind is None:
        raise typer.BadParameter(ex.format_hint(), param_hint="FILE")
    if kind == "apkg" and file == "-":
        raise typer.BadParameter("an Anki package is a file: name it, e.g. lossquiz.apkg", param_hint="FILE")
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        if file != "-":
            guard_output(Path(file), opened.home, force=force)
        name = ex.deck_name(opened.deck, builtin=trust.is_builtin(opened.root))
        if kind == "apkg":
            _export_package(opened, Path(file), name=name, with_history=with_history)
            return
        has_snippets = any(c.snippet for c in opened.deck.cards)
        examples, why_not = (
            None,
            "worked examples not computed (--no-run)" if has_snippets else "no snippets in this deck",
        )
        if kind == "md" and not no_run and has_snippets:
            examples, why_not = _live_examples(opened)
        text = ex.export_text(opened.deck, kind, name=name, examples=examples, why_not=why_not)
        if file == "-":
            sys.stdout.write(text)
        else:
            ex.write_text(Path(file), text)
            console.says(console.out(), f"exported {len(opened.deck.cards)} cards to {file} ({kind})")
    if failed := ex.failed_snippets(examples):
        console.error(f"worked example failed for snippets: {', '.join(failed)}")
        raise typer.Exit(code=4)


def _export_package(opened: Opened, path: Path, *, name: str, with_history: bool) -> None:
    from datetime import datetime

    from lossquiz.clock import SystemClock
    from lossquiz.deck import anki_package
    from lossquiz.progress.package_history import progress_by_card
    from lossquiz.progress.store import Store
    from lossquiz.ui import console

    history = None
    if with_history:
        now = SystemClock().now()
        with Store.open(opened.home, deck=opened.key) as store:
            found = progress_by_card(store, now=now)
        history = {}
        for slug, entry in found.items():
            fsrs: Any = entry.get("fsrs") or {}
            due = fsrs.get("due")
            history[slug] = anki_package.HistoryCard(
                reviews=tuple(anki_package.PastReview(*r) for r in entry["reviews"]),  # type: ignore[attr-defined]
                due=datetime.fromisoformat(due) if due else None,
                stability=fsrs.get("stability"),
                difficulty=fsrs.get("difficulty"),
                state=fsrs.get("state"),
                step=fsrs.get("step"),
            )
    from lossquiz.cli.app import load_config

    day_start_hour = load_config()["day_start_hour"]
    written = anki_package.write_package(opened.deck, path, name=name, history=history, day_start_hour=day_start_hour)
    extra = f", with {written.reviews} reviews" if history else ""  # what the package holds, not what was kept
    console.says(console.out(), f"exported {written.notes} cards to {path} (apkg{extra})")


def _live_examples(opened: Opened) -> tuple[Any, str]:
    """Run the deck's snippets for the cheat sheet if the deck is trusted; else say why not."""
    from lossquiz.deck import export as ex
    from lossquiz.deck import trust
    from lossquiz.errors import UntrustedDeckError
    from lossquiz.ui import console
    from lossquiz.worker.client import SnippetRunner

    try:
        trusted = trust.gate(opened.root, opened.home)
    except UntrustedDeckError as e:
        console.note(f"note: worked examples not computed: {trust.reason_of(e)}")
        return None, "worked examples not computed (the deck's snippets are not trusted)"
    with SnippetRunner(trusted) as runner:
        return ex.live_examples(opened.deck, runner), ""
