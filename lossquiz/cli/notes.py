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


@app.command("import")
def import_notes(
    notes: Annotated[
        Path, typer.Argument(metavar="FILE", help="Markdown notes: '#### Q: …' headings, 'question::answer' lines.")
    ],
    into: Annotated[
        Path,
        typer.Option("--into", metavar="DECK_DIR", help="The deck folder to create, or update from the same notes."),
    ],
    force: Annotated[bool, typer.Option("--force", help="Replace a deck that was not imported from NOTES.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Turn your Markdown Q&A notes into a deck (ids stay stable when you edit and import again).

    Example: [bold]lossquiz import notes.md --into mydeck[/], then [bold]lossquiz drill --deck mydeck[/]
    """
    from lossquiz.deck import notes_import
    from lossquiz.ui import console, notes_view

    with exit_on_error():
        result = notes_import.import_notes(notes, into, force=force)
    if as_json:
        print_json(result.to_dict())
        return
    console.out().print(notes_view.import_summary(result), soft_wrap=True)


class ExportFormat(str, Enum):
    """What `export` writes."""

    anki = "anki"
    md = "md"
    json = "json"


@app.command()
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
            help="anki, md or json (default: from FILE's suffix).",
            show_default=False,
        ),
    ] = None,
    no_run: Annotated[bool, typer.Option("--no-run", help="md: do not compute worked examples (no torch).")] = False,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    force: ForceOption = False,
) -> None:
    """Export the deck: an Anki import file, a Markdown cheat sheet with live numbers, or JSON.

    Example: [bold]lossquiz export --format anki lossquiz.txt[/], [bold]lossquiz export sheet.md[/]
    """
    from lossquiz.deck import export as ex
    from lossquiz.deck import trust
    from lossquiz.ui import console

    kind = fmt.value if fmt else ex.guess_format(file)
    if kind is None:
        raise typer.BadParameter("say --format anki, md or json (or name FILE *.txt, *.md, *.json)", param_hint="FILE")
    with exit_on_error():
        opened = open_deck(deck, data_dir)
        if file != "-":
            guard_output(Path(file), opened.home, force=force)
        name = ex.deck_name(opened.deck, builtin=trust.is_builtin(opened.root))
        examples, why_not = None, "worked examples not computed (--no-run)"
        if kind == "md" and not no_run and any(c.snippet for c in opened.deck.cards):
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
