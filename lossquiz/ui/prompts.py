"""Reading answers: line by line from a pipe, or with a live countdown in a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any, Protocol

from rich.console import Console

from lossquiz.clock import Clock


class Prompter(Protocol):
    """Asks one question and returns the line typed (EOFError at end of input)."""

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str: ...
    def warm_up(self) -> None: ...


class LinePrompter:
    """Plain prompts for pipes and tests: one answer per input line."""

    def __init__(self, console: Console, stream: IO[str] | None = None) -> None:
        self.console = console
        self.stream = stream or sys.stdin

    def warm_up(self) -> None:
        """Nothing to load."""

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str:
        """Print the prompt, read a line."""
        self.console.print(message, end="", markup=False, highlight=False)
        self.console.file.flush()
        line = self.stream.readline()
        if not line:
            self.console.print()
            raise EOFError
        if not self.stream.isatty():
            self.console.print(line.rstrip("\n"), markup=False, highlight=False)  # echo for transcripts
        return line.rstrip("\n")


class CountdownPrompter:
    """A prompt_toolkit prompt whose bottom bar counts down to the card's time limit."""

    def __init__(self, clock: Clock) -> None:
        import importlib.util

        if importlib.util.find_spec("prompt_toolkit") is None:
            raise ImportError("prompt_toolkit is not installed")
        self.clock = clock

    def warm_up(self) -> None:
        """Import prompt_toolkit in the background once the first card is drawn: while the user reads
        it (or the worker draws a problem), not while it is being drawn — an import holds the GIL, so
        an earlier start only delays the card. The import lock makes ask() wait if it is not done."""
        import importlib
        import threading

        threading.Thread(target=importlib.import_module, args=("prompt_toolkit",), daemon=True).start()

    def _toolbar(self, deadline: datetime | None, *, graded: bool) -> str:
        if deadline is None:
            return ""
        left = (deadline - self.clock.now()).total_seconds()
        if left >= 0:
            return f" ⏱ {int(left) + 1}s left"
        # Only an auto-graded answer is rated by time; a recall card is rated by the user.
        late = " (a right answer now counts as Hard)" if graded else ""
        return f" ⏱ {int(-left)}s over the limit{late}"

    def ask(self, message: str, *, deadline: datetime | None = None, graded: bool = True) -> str:
        """Prompt with a live countdown; Ctrl-D is EOFError, Ctrl-C KeyboardInterrupt."""
        # A fresh session per prompt: prompt() arguments stick to a session, and an untimed
        # prompt (the rating) must not inherit the previous card's countdown.
        toolbar = None if deadline is None else lambda: self._toolbar(deadline, graded=graded)
        return str(countdown_session(toolbar).prompt(message))


def countdown_session(toolbar: Callable[[], str] | None) -> Any:
    """A prompt_toolkit session with `toolbar` (the countdown, redrawn twice a second) as its bottom
    bar, kept just under the prompt.

    prompt_toolkit draws a prompt over every row below the cursor (it asks the terminal where the
    cursor is), and its input line stretches to fill them: in a 40-row terminal the bottom bar landed
    on the last row, 30 blank lines under the prompt. An input window only as tall as what is typed
    leaves those rows blank below the bar instead.
    """
    from prompt_toolkit import PromptSession
    from prompt_toolkit.filters import to_filter

    session: Any = PromptSession(bottom_toolbar=toolbar, refresh_interval=0.5 if toolbar else 0)
    for window in session.layout.find_all_windows():
        if getattr(window.content, "buffer", None) is session.default_buffer:
            window.dont_extend_height = to_filter(True)
    return session


def make_prompter(console: Console, clock: Clock) -> Prompter:
    """A countdown prompt in a terminal, plain lines otherwise."""
    if sys.stdin.isatty() and sys.stdout.isatty():
        try:
            return CountdownPrompter(clock)
        except Exception:  # noqa: BLE001 - an odd terminal falls back to plain prompts
            pass
    return LinePrompter(console)
