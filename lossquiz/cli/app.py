"""The Typer app, the options every command shares, and the one place errors become exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer
from typer.core import TyperArgument, TyperGroup

from lossquiz import __version__
from lossquiz.errors import LossquizError

if TYPE_CHECKING:
    from lossquiz.deck.cards import Deck

# Each command's module, in help order. A command's module is imported only when that command runs
# (`lossquiz list` does not build the other 21 commands); help, completion and typos import them all.
COMMANDS = {
    "drill": "drill",
    **dict.fromkeys(["list", "show", "check", "trust", "untrust"], "deck"),
    "code": "code",
    **dict.fromkeys(["import", "export"], "notes"),
    **dict.fromkeys(["stats", "history", "optimize"], "progress"),
    **dict.fromkeys(["card", "due"], "card"),
    "config": "config",
}


class LazyCommands(TyperGroup):
    """The root group: imports a command's module on first use (click's "lazily loading subcommands")."""

    def _load(self, names: list[str]) -> None:
        if set(names) <= self.commands.keys():
            return
        import importlib

        for module in dict.fromkeys(COMMANDS[n] for n in names):
            importlib.import_module(f"lossquiz.cli.{module}")
        built = typer.main.get_group(app).commands  # every command registered so far
        for name, command in built.items():
            self.commands.setdefault(name, command)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        self._load([cmd_name] if cmd_name in COMMANDS else list(COMMANDS))  # a typo: load all, to suggest
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: Any) -> list[str]:
        self._load(list(COMMANDS))
        order = list(COMMANDS)
        return sorted(self.commands, key=lambda n: order.index(n) if n in order else len(order))


# Plain help: Click's formatter wraps at word boundaries, pipes cleanly and costs a fraction of Rich's
# boxed help (which alone took 0.8x the start-up floor). Typer's plain usage line writes a required
# argument as {QUERY}; Click and most command lines write QUERY.
_make_metavar = TyperArgument.make_metavar


def _usage_metavar(self: TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    return _make_metavar(self, ctx, usage=usage and not self.required)


TyperArgument.make_metavar = _usage_metavar  # type: ignore[method-assign]


app = typer.Typer(
    name="lossquiz",
    cls=LazyCommands,
    help="Flashcards for deep-learning losses, every formula checked by a live torch snippet. "
    "Imports Markdown notes and Anki .apkg; exports Anki .apkg or text, Markdown and JSON.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion; card ids and topics complete too
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


def complete_card(incomplete: str) -> list[str]:
    """Card ids (and aliases) of the deck in force, for shell completion; nothing if it cannot load."""
    from lossquiz import paths
    from lossquiz.deck import cards
    from lossquiz.errors import LossquizError

    try:
        deck = cards.load_deck(paths.deck_dir(None))
    except (LossquizError, OSError):
        return []
    names = [n for c in deck.cards for n in (c.id, *c.aliases)]
    return [n for n in names if n.startswith(incomplete)]


def complete_topic(incomplete: str) -> list[str]:
    """Topic slugs, for shell completion."""
    from lossquiz.deck.kinds import TOPICS

    return [t for t in TOPICS if t.startswith(incomplete.lower())]


def complete_kind(incomplete: str) -> list[str]:
    """Kind names, for shell completion."""
    from lossquiz.deck.kinds import KINDS

    return [k for k in KINDS if k.startswith(incomplete.lower())]


DeckOption = Annotated[
    Path | None,
    typer.Option(
        "--deck",
        metavar="DECK_DIR",
        help="Deck folder (cards/*.yaml + snippets/*.py). Env: LOSSQUIZ_DECK.",
        show_default="built-in deck",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout, nothing else.")]
DataDirOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        metavar="DIR",
        help="Where progress is stored. Env: LOSSQUIZ_HOME.",
        show_default="user data dir",
    ),
]


def _names() -> tuple[str, str]:
    """The topics and kinds, for the help of --topic and --kind: both are fixed (deck.kinds)."""
    from lossquiz.deck.kinds import KINDS, TOPICS

    return ", ".join(TOPICS), ", ".join(KINDS)


_TOPIC_NAMES, _KIND_NAMES = _names()
TopicOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help=f"Only this topic (repeatable): {_TOPIC_NAMES}.",
        autocompletion=complete_topic,
    ),
]
KindOption = Annotated[
    list[str] | None,
    typer.Option(
        "--kind",
        "-k",
        metavar="KIND",
        help=f"Only this kind (repeatable): {_KIND_NAMES}.",
        autocompletion=complete_kind,
    ),
]
CardArgument = Annotated[
    str,
    typer.Argument(metavar="CARD", help="Card id, alias or title words, e.g. huber.", autocompletion=complete_card),
]


@contextmanager
def exit_on_error() -> Iterator[None]:
    """Print a LossquizError as one line on stderr and exit with its code."""
    try:
        yield
    except LossquizError as e:
        from lossquiz.ui import console

        console.error(str(e))
        raise typer.Exit(code=e.exit_code) from None


def print_json(data: Any) -> None:
    """One JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


class Opened(NamedTuple):
    """A command's deck, resolved once: its folder, its cards, the data dir and the progress key."""

    root: Path
    deck: Deck
    home: Path
    key: str


def open_deck(deck: Path | None, data_dir: Path | None = None) -> Opened:
    """Resolve --deck/--data-dir (and their env vars) and load the deck; raises DeckError."""
    from lossquiz import paths
    from lossquiz.deck import cards

    root = paths.deck_dir(deck)
    return Opened(root=root, deck=cards.load_deck(root), home=paths.data_dir(data_dir), key=paths.deck_key(root))


def load_config() -> Any:
    """config.toml and the environment, resolved (lossquiz.config.Config); raises ConfigError."""
    from lossquiz import config

    return config.load()


def none_match(topics: list[str], kinds: list[str]) -> str:
    """`no cloze cards in this deck`, `no concept cards on topic gan or llm in this deck`: said by
    `list` and `drill` when their filters leave no card."""
    kind = " or ".join(k.strip().lower() for k in kinds)
    topic = " or ".join(t.strip().lower() for t in topics)
    return f"no {kind + ' ' if kind else ''}cards {f'on topic {topic} ' if topic else ''}in this deck"


def scheduler(store: Any, cfg: Any, retention: float | None = None) -> Any:
    """The scheduler in force: fitted parameters, retention (option > optimize > config), day rule, fuzz."""
    from lossquiz.progress import settings

    return settings.scheduler_for(
        store,
        retention,
        default_retention=cfg["retention"],
        fuzz=cfg["fuzz"],
        day_start_hour=cfg["day_start_hour"],
    )


ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]


def seconds(value: str) -> float:
    """An option parser for --time-limit: a number of seconds from 0 to a day, said in those words
    (Click's own were "'abc' is not a valid float range.")."""
    try:
        number = float(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number of seconds") from None
    if not 0 <= number <= 24 * 3600:  # nan fails this too
        raise typer.BadParameter(f"{value!r} is not between 0 and 86400 seconds")
    return number


def finite(value: float | None) -> float | None:
    """An option callback: nan and inf pass Click's range checks; refuse them (a usage error)."""
    import math

    if value is not None and not math.isfinite(value):
        raise typer.BadParameter(f"must be a finite number, not {value}")
    return value


def guard_output(file: Path, home: Path, *, force: bool) -> None:
    """Refuse an output file that is the progress database (or beside it as its journal), or that
    exists without --force; raises LossquizError (one line)."""
    import os

    from lossquiz.progress.store import DB_NAME

    db = home / DB_NAME
    for guarded in (
        db,
        db.with_name(DB_NAME + "-wal"),
        db.with_name(DB_NAME + "-shm"),
        db.with_name(DB_NAME + "-journal"),
    ):
        same = False
        try:
            same = os.path.samefile(file, guarded)
        except OSError:
            same = os.path.abspath(file) == os.path.abspath(guarded)
        if same or os.path.realpath(file) == os.path.realpath(guarded):
            raise LossquizError(f"refusing to write onto the progress database ({guarded}): choose another FILE")
    if (file.exists() or file.is_symlink()) and not force:
        raise LossquizError(f"{file} exists: add --force to replace it")


def _version(value: bool) -> None:
    if value:
        print(f"lossquiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Flashcards for deep-learning losses, every formula checked by a live torch snippet.

    Start with lossquiz drill; lossquiz show huber for a worked example.
    """


_COMPLETION_FLAGS = ("--show-completion", "--install-completion")


def main() -> None:
    """Console-script entry point."""
    args = sys.argv[1:]
    if len(args) == 2 and args[0] in _COMPLETION_FLAGS:
        _completion_for(args[0], args[1])
    app()


def _completion_for(flag: str, shell: str) -> None:
    """`--show-completion zsh`: Typer's flag is for the shell it runs in and ignored a name after it,
    printing bash's script to a zsh user; a name given is the shell meant."""
    from typer._completion_shared import Shells, get_completion_script, install  # what the flag itself calls

    from lossquiz.ui import console

    if shell not in {s.value for s in Shells}:
        console.error(f"{flag}: unknown shell '{shell}': bash, zsh, fish, powershell or pwsh")
        raise SystemExit(2)
    names = {"prog_name": "lossquiz", "complete_var": "_LOSSQUIZ_COMPLETE"}
    if flag == "--show-completion":
        text = get_completion_script(shell=shell, **names)
    else:
        _, path = install(shell=shell, **names)
        text = f"{shell} completion installed in {path}\nCompletion will take effect once you restart the terminal"
    try:  # outside Typer's main, which quiets a closed pipe (`--show-completion zsh | head`) for every command
        print(text, flush=True)
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
    raise SystemExit(0)
