"""The two consoles of one invocation (stdout for results, stderr for errors and notes)."""

from __future__ import annotations

import re
import sys
from typing import IO, Any

from rich.console import Console
from rich.text import Text


class _NoTrailingSpaces:
    """A pipe's text stream that never ends a line with spaces.

    Rich pads rendered lines (Markdown paragraphs, table cells, panels) to the console's width; in a
    terminal that is invisible, in a pipe or a file it is noise (`diff`, `grep ' $'`, editors that flag
    it). Spaces at the end of what was written so far are held back until the next write shows
    whether text follows on the same line (a prompt's `> ` then the echoed answer) or a newline.
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._held = ""

    def write(self, text: str) -> int:
        if not text:
            return 0
        lines = (self._held + text).split("\n")
        last = lines.pop()
        kept = last.rstrip(" ")
        self._held = last[len(kept) :]
        self.stream.write("".join(line.rstrip(" ") + "\n" for line in lines) + kept)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, … of the real stream
        return getattr(self.stream, name)


_trimmed: dict[int, tuple[IO[str], _NoTrailingSpaces]] = {}


def _stream(stream: IO[str]) -> IO[str] | None:
    """`stream` itself in a terminal (None: Rich's default), else one trimming wrapper per stream, so
    spaces held back by one console are still written if the next console's text follows them."""
    try:
        if stream.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    known = _trimmed.get(id(stream))
    if known is None or known[0] is not stream:
        known = _trimmed[id(stream)] = (stream, _NoTrailingSpaces(stream))
    return known[1]  # type: ignore[return-value]


def out() -> Console:
    """Results: stdout (no line ends in a space when it is not a terminal)."""
    return Console(highlight=False, file=_stream(sys.stdout))


def err() -> Console:
    """Errors, notes and progress: stderr (no line ends in a space when it is not a terminal)."""
    return Console(stderr=True, highlight=False, file=_stream(sys.stderr))


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def inline(message: str, style: str = "") -> Text:
    """A message as the user sees it: each `command` span in bold, its backticks dropped.

    Messages are written with Markdown-style backticks around what the user types (errors from
    every layer, notes, hints); no backtick reaches a terminal or a pipe.
    """
    text = Text(style=style)
    last = 0
    for match in _CODE_SPAN.finditer(message):
        text.append(message[last : match.start()])
        text.append(match.group(1), style="bold")
        last = match.end()
    text.append(message[last:])
    return text


def error(message: str) -> None:
    """`error: …` on stderr, never wrapped mid-path."""
    err().print(Text.assemble(("error:", "bold red"), " ", inline(message)), soft_wrap=True)


def note(message: str) -> None:
    """A plain line on stderr (`note: …`), printed as written (`code` spans in bold)."""
    err().print(inline(message), soft_wrap=True)


def says(console: Console, message: str) -> None:
    """A plain line on `console`, printed as written (`code` spans in bold)."""
    console.print(inline(message), soft_wrap=True)


def table(console: Console, renderable: Any) -> None:
    """A table: one line per row in a terminal (cut with …), whole lines in a pipe."""
    if console.is_terminal:
        console.print(renderable, no_wrap=True, overflow="ellipsis")
    elif isinstance(renderable, Text) and console.color_system is None:
        console.file.write(renderable.plain + "\n")  # a pipe shows no styles: skip Rich's line layout
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


def print_paged(console: Console, renderable: Any, *, lines: int, pager: str | None) -> None:
    """Print `renderable`, `lines` tall; through `pager` when that is taller than the terminal (as git
    does, and as `show` does). A pipe, or no pager, gets it printed whole."""
    if pager is None or not console.is_terminal or lines <= console.height:
        table(console, renderable)
        return
    with console.capture() as captured:
        table(console, renderable)
    page(captured.get(), pager)


def page(text: str, command: str) -> None:
    """Hand `text` (with its colours) to the pager command; print it if the pager cannot run."""
    import os
    import shlex
    import subprocess

    env = {**os.environ, "LESS": os.environ.get("LESS", "FRX")}  # quit if one screen, keep colours
    try:
        subprocess.run(shlex.split(command), input=text, text=True, env=env, check=False)
    except (OSError, ValueError):
        print(text, end="")
        import sys  # said after the text, on stderr: a mistyped $LOSSQUIZ_PAGER was silently ignored

        print(f"note: the pager '{command}' could not run ($LOSSQUIZ_PAGER, else $PAGER)", file=sys.stderr)


class Phrases:
    """Phrases joined by `sep` that wrap only between phrases (`0 relearning · 0 review`, never
    `0` at the end of a line and `review` at the start of the next); a phrase wider than the line
    wraps on its own. Each further line starts where the first did (in a table cell, a hanging indent)."""

    def __init__(self, phrases: list[str], sep: str = " · ", style: str = "") -> None:
        self.phrases, self.sep, self.style = phrases, sep, style

    def __rich_measure__(self, console: Console, options: Any) -> Any:
        from rich.cells import cell_len
        from rich.measure import Measurement

        whole = cell_len(self.sep.join(self.phrases))
        return Measurement(min(max((cell_len(p) for p in self.phrases), default=0), whole), whole)

    def __rich_console__(self, console: Console, options: Any) -> Any:
        yield Text("\n".join(self.lines(options.max_width)), style=self.style)

    def lines(self, width: int) -> list[str]:
        """The lines within `width` cells."""
        from rich.cells import cell_len

        lines, line = [], ""
        last = len(self.phrases) - 1
        for i, phrase in enumerate(self.phrases):
            joined = f"{line}{self.sep}{phrase}" if line else phrase
            ending = "" if i == last else self.sep.rstrip()  # room for the separator it may end on
            if line and cell_len(joined + ending) > width:
                lines.append(line + self.sep.rstrip())
                line = phrase
            else:
                line = joined
        lines.append(line)
        return lines
