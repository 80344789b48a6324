"""The command line: parse options, call the core, render. Errors become exit codes here."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from enum import Enum
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
    out = _out()
    # A terminal gets one line per card, cut with … at its width; a pipe gets whole lines.
    if out.is_terminal:
        out.print(render.card_table(selected), no_wrap=True, overflow="ellipsis")
    else:
        out.print(render.card_table(selected), soft_wrap=True)


@app.command()
def show(
    query: Annotated[str, typer.Argument(help="Card id, alias or title words, e.g. huber, smooth-l1.")],
    no_run: Annotated[bool, typer.Option("--no-run", help="Do not run the snippet (no torch).")] = False,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Show random problem N instead of the fixed example."),
    ] = None,
    plot: Annotated[
        bool, typer.Option("--plot", help="Draw the card's curves in the terminal (computed by its snippet).")
    ] = False,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one card as a worked example: answer, formula, snippet and live numbers.

    A deck other than the built-in one runs its snippets only once trusted ([bold]lossquiz trust[/]).

    Example: [bold]lossquiz show huber[/], [bold]lossquiz show focal --seed 3[/],
    [bold]lossquiz show focal --plot[/]
    """
    from lossquiz import cards, paths, render, showing, trust

    if plot:
        if no_run or seed is not None:
            raise typer.BadParameter(
                "--plot draws curves from the snippet; drop --no-run and --seed", param_hint="--plot"
            )
        _show_plot(query, deck, as_json=as_json)
        return
    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards.load_deck(root)
        card = cards.find_card(loaded, query)
        run = not no_run and card.snippet is not None
        if run and not (verdict := trust.is_trusted(root, paths.data_dir(data_dir))).trusted:
            _err().print(f"note: showing without running the snippet: {verdict.reason}", markup=False, soft_wrap=True)
            run = False
        shown = showing.show_card(loaded, card, run=run, seed=seed)
    if as_json:
        _print_json(shown.to_dict())
    else:
        out = _out()
        plain = not out.is_terminal  # piped: the Markdown as written, unwrapped, no highlighting
        out.print(render.show(card, shown.source, shown.example, seed=seed, plain=plain), soft_wrap=plain)
    if shown.error:
        _err().print(f"error: snippet '{card.snippet}' failed: {shown.error}", markup=False, soft_wrap=True)
        raise typer.Exit(code=4)


def _show_plot(query: str, deck: Path | None, *, as_json: bool) -> None:
    from lossquiz import cards, paths, plots, render

    with exit_on_error():
        loaded = cards.load_deck(paths.deck_dir(deck))
        card = cards.find_card(loaded, query)
        found = plots.card_plots(loaded, card)
    if as_json:
        _print_json({"id": card.id, "snippet": card.snippet, "plots": [p.to_dict() for p in found]})
        return
    out = _out()
    color = out.color_system is not None and not out.no_color
    width, height = max(min(out.width, 120), 40), 22
    drawn = [(p, render.plot_text(p, width=width, height=height, color=color)) for p in found]
    out.print(render.plots(card, drawn))


@app.command()
def check(
    card_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CARD]...", help="Only these cards (default: all)."),
    ] = None,
    problems: Annotated[int, typer.Option("--problems", min=0, help="Random problems per snippet.")] = 20,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Validate the deck, then run every snippet against its reference (exit 4 on disagreement).

    A deck other than the built-in one must be trusted first ([bold]lossquiz trust[/]); else exit 1.

    Example: [bold]lossquiz check[/], [bold]lossquiz check huber focal[/]
    """
    from lossquiz import cards, check, paths, practice_tasks, render, trust
    from lossquiz.snippets import SnippetRunner

    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards.load_deck(root)
        practice_tasks.load_tasks(loaded)  # the deck's implement-it tasks are part of the deck: validate them too
        trust.require_trusted(root, paths.data_dir(data_dir))
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
    retention: Annotated[
        float | None,
        typer.Option(
            "--retention",
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
    from lossquiz import cards as cards_mod
    from lossquiz import paths, render, settings, trust
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
    )
    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards_mod.load_deck(root)
        cards_mod.select(loaded, topics=list(options.topics), kinds=list(options.kinds))  # validates names
        if card:
            options = replace(options, card_ids=tuple(cards_mod.find_card(loaded, q).id for q in card))
        with Store.open(paths.data_dir(data_dir), deck=paths.deck_key(root)) as store, SnippetRunner() as runner:
            if not (verdict := trust.check(root, store)).trusted:
                options = replace(options, run_snippets=False)
                _err().print(render.untrusted_drill(verdict.reason), soft_wrap=True)
            parameters, chosen_retention = settings.scheduler_settings(store, retention)  # fitted by `optimize`
            options = replace(options, retention=chosen_retention)
            prompter = make_prompter(out, clock)
            session = Drill(loaded, store, runner, out, prompter, clock, options, parameters=parameters)
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


@app.command("import")
def import_notes(
    notes: Annotated[Path, typer.Argument(help="Markdown notes: '#### Q: …' headings, 'question::answer' lines.")],
    into: Annotated[Path, typer.Option("--into", help="The deck folder to create, or update from the same notes.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a deck that was not imported from NOTES.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Turn your Markdown Q&A notes into a deck (ids stay stable when you edit and import again).

    Example: [bold]lossquiz import notes.md --into mydeck[/], then [bold]lossquiz drill --deck mydeck[/]
    """
    from lossquiz import importer, render

    with exit_on_error():
        result = importer.import_notes(notes, into, force=force)
    if as_json:
        _print_json(result.to_dict())
        return
    _out().print(render.import_summary(result), soft_wrap=True)


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
        typer.Option("--format", "-f", help="anki, md or json (default: from FILE's suffix).", show_default=False),
    ] = None,
    no_run: Annotated[bool, typer.Option("--no-run", help="md: do not compute worked examples (no torch).")] = False,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Export the deck: an Anki import file, a Markdown cheat sheet with live numbers, or JSON.

    Example: [bold]lossquiz export --format anki lossquiz.txt[/], [bold]lossquiz export sheet.md[/]
    """
    from lossquiz import cards, paths, trust
    from lossquiz import export as ex

    kind = fmt.value if fmt else ex.guess_format(file)
    if kind is None:
        raise typer.BadParameter("say --format anki, md or json (or name FILE *.txt, *.md, *.json)", param_hint="FILE")
    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards.load_deck(root)
        name = ex.deck_name(loaded, builtin=trust.is_builtin(root))
        examples, why_not = None, "worked examples not computed (--no-run)"
        if kind == "md" and not no_run and any(c.snippet for c in loaded.cards):
            examples, why_not = _live_examples(loaded, root, paths.data_dir(data_dir))
        text = ex.export_text(loaded, kind, name=name, examples=examples, why_not=why_not)
        if file == "-":
            sys.stdout.write(text)
        else:
            ex.write_text(Path(file), text)
            _out().print(f"exported {len(loaded.cards)} cards to {file} ({kind})", markup=False, soft_wrap=True)
    if failed := ex.failed_snippets(examples):
        _err().print(f"error: worked example failed for snippets: {', '.join(failed)}", markup=False, soft_wrap=True)
        raise typer.Exit(code=4)


def _live_examples(loaded: Any, root: Path, data: Path) -> tuple[Any, str]:
    """Run the deck's snippets for the cheat sheet if the deck is trusted; else say why not."""
    from lossquiz import export as ex
    from lossquiz import trust
    from lossquiz.snippets import SnippetRunner

    verdict = trust.is_trusted(root, data)
    if not verdict.trusted:
        _err().print(f"note: worked examples not computed: {verdict.reason}", markup=False, soft_wrap=True)
        return None, "worked examples not computed (the deck's snippets are not trusted)"
    with SnippetRunner() as runner:
        return ex.live_examples(loaded, runner), ""


@app.command("trust")
def trust_deck(
    deck_dir: Annotated[
        Path | None, typer.Argument(metavar="DECK_DIR", help="The deck folder whose snippets may run.")
    ] = None,
    list_: Annotated[bool, typer.Option("--list", help="List trusted decks and whether they changed.")] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Allow a deck's code to run: snippets/ (show, check, drill, export) and practice/ (code --check).

    Changing, adding or removing any file in either folder revokes it. Read them first: they
    run with your permissions.

    Example: [bold]lossquiz trust mydeck[/], [bold]lossquiz trust --list[/]
    """
    from lossquiz import paths, render, trust
    from lossquiz.clock import SystemClock
    from lossquiz.storage import Store

    if list_ == (deck_dir is not None):
        raise typer.BadParameter("give a DECK_DIR to trust, or --list", param_hint="DECK_DIR")
    with exit_on_error(), Store.open(paths.data_dir(data_dir)) as store:
        if deck_dir is None:
            entries = trust.entries(store)
            if as_json:
                _print_json([asdict(e) for e in entries])
            else:
                _out().print(render.trusted_decks(entries))
            return
        digest = trust.trust(deck_dir, store, now=SystemClock().now())
    if as_json:
        _print_json({"deck": str(deck_dir.resolve()), "sha256": digest.sha256, "files": list(digest.files)})
    else:
        _out().print(render.trusted(deck_dir, digest, builtin=trust.is_builtin(deck_dir)), soft_wrap=True)


@app.command()
def untrust(
    deck_dir: Annotated[Path, typer.Argument(metavar="DECK_DIR", help="The deck folder to stop trusting.")],
    data_dir: DataDirOption = None,
) -> None:
    """Stop trusting a deck: its snippets and practice tasks no longer run.

    Example: [bold]lossquiz untrust mydeck[/]
    """
    from lossquiz import paths, trust
    from lossquiz.storage import Store

    with exit_on_error(), Store.open(paths.data_dir(data_dir)) as store:
        trust.untrust(deck_dir, store)
    _out().print(f"no longer trusted: {deck_dir.resolve()}", markup=False, soft_wrap=True)


@app.command()
def stats(
    topic: TopicOption = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Progress: what is due, what you know, where the weak spots are.

    Example: [bold]lossquiz stats[/], [bold]lossquiz stats --topic regression --json[/]
    """
    from lossquiz import cards, paths, render
    from lossquiz.clock import SystemClock
    from lossquiz.stats import compute_stats
    from lossquiz.storage import Store

    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards.load_deck(root)
        with Store.open(paths.data_dir(data_dir), deck=paths.deck_key(root)) as store:
            figures = compute_stats(store, loaded, now=SystemClock().now(), topics=topic or [])
    if as_json:
        _print_json(figures.to_dict())
        return
    _out().print(render.stats_empty(figures) if figures.empty else render.stats_view(figures))


history_app = typer.Typer(
    name="history",
    help="Export or import your review history (JSON Lines), e.g. to move it to another machine.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(history_app)


@history_app.command("export")
def history_export(
    file: Annotated[Path | None, typer.Argument(help="Write here instead of stdout.", show_default=False)] = None,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
) -> None:
    """Every review, session and card state of one deck as JSON Lines (a header line first).

    Example: [bold]lossquiz history export backup.jsonl[/]
    """
    from lossquiz import history, paths, render
    from lossquiz.clock import SystemClock
    from lossquiz.storage import Store

    with exit_on_error(), Store.open(paths.data_dir(data_dir), deck=paths.deck_key(paths.deck_dir(deck))) as store:
        now = SystemClock().now()
        if file is None or str(file) == "-":
            sys.stdout.writelines(history.export_lines(store, now=now))
            return
        counts = history.export_file(store, file, now=now)
    _out().print(render.exported(counts, str(file)), soft_wrap=True)


@history_app.command("import")
def history_import(
    file: Annotated[Path, typer.Argument(help="A file from `history export` ('-' reads stdin).")],
    retention: Annotated[
        float, typer.Option("--retention", min=0.7, max=0.99, help="Desired retention for rebuilt schedules.")
    ] = 0.9,
    deck: DeckOption = None,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Merge a history file into one deck's progress: reviews already stored are skipped, schedules rebuilt.

    The whole file is checked first; if any line is bad, nothing is imported.

    Example: [bold]lossquiz history import backup.jsonl[/]
    """
    from lossquiz import history, paths, render
    from lossquiz.storage import Store

    with exit_on_error(), Store.open(paths.data_dir(data_dir), deck=paths.deck_key(paths.deck_dir(deck))) as store:
        result = history.import_file(store, file, retention=retention)
    if as_json:
        _print_json(result.to_dict())
    else:
        _out().print(render.imported(result, "stdin" if str(file) == "-" else str(file)), soft_wrap=True)


@app.command()
def optimize(
    show_only: Annotated[bool, typer.Option("--show", help="Only print the parameters in use; fit nothing.")] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Forget fitted parameters and retention: back to defaults.")
    ] = False,
    apply_retention: Annotated[
        bool, typer.Option("--apply-retention", help="Also make the workload-minimising retention the drill default.")
    ] = False,
    no_retention: Annotated[
        bool, typer.Option("--no-retention", help="Skip the (slower) optimal-retention simulation.")
    ] = False,
    data_dir: DataDirOption = None,
    as_json: JsonOption = False,
) -> None:
    """Fit the FSRS scheduler to your own review history; drills use the fitted parameters from then on.

    Needs 512 reviews made on a later day than the card's previous review (cram and undone
    reviews do not count). Loads torch (py-fsrs's optimizer), so it takes a while.

    Example: [bold]lossquiz optimize[/], [bold]lossquiz optimize --show[/], [bold]lossquiz optimize --reset[/]
    """
    from lossquiz import optimizing, paths, render, settings
    from lossquiz.clock import SystemClock
    from lossquiz.storage import Store

    if sum((show_only, reset, apply_retention or no_retention)) > 1:
        raise typer.BadParameter("use one of --show, --reset, or a fit (optionally --apply-retention)")
    if apply_retention and no_retention:
        raise typer.BadParameter("--apply-retention needs the retention simulation; drop --no-retention")
    with exit_on_error(), Store.open(paths.data_dir(data_dir)) as store:
        if show_only or reset:
            removed = settings.reset(store) if reset else None
            current = optimizing.in_use(store)
        else:
            with _err().status("fitting FSRS to your review history (loads torch; can take a minute)…"):
                fit = optimizing.optimize(
                    store, now=SystemClock().now(), retention=not no_retention, apply_retention=apply_retention
                )
    if show_only or reset:
        if as_json:
            _print_json({**({"reset": removed} if reset else {}), **current.to_dict()})
        else:
            _out().print(render.parameters_in_use(current, reset=removed))
    elif as_json:
        _print_json(fit.to_dict())
    else:
        _out().print(render.fit_report(fit))


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

    A deck other than the built-in one must be trusted ([bold]lossquiz trust[/]) before
    [bold]--check[/] runs its practice/ tasks (else exit 1); writing the file, --list and
    --solution run nothing from the deck. On an untrusted deck the editor is not opened.

    Example: [bold]lossquiz code dpo[/], [bold]lossquiz code dpo --check[/], [bold]lossquiz code --list[/]
    """
    import random

    from lossquiz import cards, paths, practice, practice_tasks, render, trust
    from lossquiz.clock import SystemClock
    from lossquiz.storage import Store

    clock, out = SystemClock(), _out()
    with exit_on_error():
        root = paths.deck_dir(deck)
        loaded = cards.load_deck(root)
        tasks, home = practice_tasks.load_tasks(loaded), paths.data_dir(data_dir)
        if list_:
            with Store.open(home, deck=paths.deck_key(root)) as store:
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
            with Store.open(home, deck=paths.deck_key(root)) as store:
                code = practice.unlocked_solution(task, store)
            if as_json:
                _print_json({"card": card.id, "function": task.function, "solution": code, "reference": task.reference})
            else:
                out.print(render.practice_solution(card, task, code))
            return
        duration_ms = 0
        if check_:  # the check runs the deck's task file (its reference and inputs): trusted decks only
            trust.require_trusted(root, home)
        else:
            path, created = practice.start_attempt(home, task, card)
            if as_json:  # for scripts: where the attempt is; no editor
                _print_json({"card": card.id, "function": task.function, "attempt": str(path), "created": created})
                return
            editor = practice.editor_command()
            if editor and not (verdict := trust.is_trusted(root, home)).trusted:
                editor = None  # editing would end in a check, which cannot run: say so before any work is done
                _err().print(f"note: not opening your editor: {verdict.reason}", markup=False, soft_wrap=True)
            started = render.practice_started(card, task, path, created=created, editor=editor is not None)
            out.print(started, crop=False)  # a path is copied: never wrapped or cut
            if editor is None:
                return
            opened = clock.now()
            practice.edit(editor, path)
            duration_ms = int((clock.now() - opened).total_seconds() * 1000)
        chosen = random.randrange(1_000_000) if seed is None else seed
        report, interval = practice.check_and_record(
            card, task, home, now=clock.now, seed=chosen, duration_ms=duration_ms, deck_key=paths.deck_key(root)
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
