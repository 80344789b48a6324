"""The two consoles of one invocation (stdout for results, stderr for errors and notes)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text


def out() -> Console:
    """Results: stdout."""
    return Console(highlight=False)


def err() -> Console:
    """Errors, notes and progress: stderr."""
    return Console(stderr=True, highlight=False)


def error(message: str) -> None:
    """`error: …` on stderr, never wrapped mid-path."""
    err().print(Text.assemble(("error:", "bold red"), f" {message}"), soft_wrap=True)


def note(message: str) -> None:
    """A plain line on stderr (`note: …`), printed as written."""
    err().print(message, markup=False, soft_wrap=True)


def says(console: Console, message: str) -> None:
    """A plain line on `console`, printed as written."""
    console.print(message, markup=False, soft_wrap=True)


def table(console: Console, renderable: Any) -> None:
    """A table: one line per row in a terminal (cut with …), whole lines in a pipe."""
    if console.is_terminal:
        console.print(renderable, no_wrap=True, overflow="ellipsis")
    else:
        console.print(renderable, soft_wrap=True)


def pager_command() -> str | None:
    """The pager: $LOSSQUIZ_PAGER, else $PAGER, else `less` if installed; "" or "cat" means none."""
    import os
    import shutil

    command = os.environ.get("LOSSQUIZ_PAGER", os.environ.get("PAGER"))
    if command is None:
        command = "less" if shutil.which("less") else ""
    return command if command.strip() not in ("", "cat") else None
