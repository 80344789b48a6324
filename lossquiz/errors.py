"""User-facing errors. Each carries the exit code the CLI maps it to."""

from __future__ import annotations


class LossquizError(Exception):
    """An error written for the user; the CLI prints it in one line and exits."""

    exit_code = 1


class StorageError(LossquizError):
    """The progress database cannot be opened, read or written."""

    exit_code = 1


class UnknownCardError(LossquizError):
    """No card matches the query (a usage error)."""

    exit_code = 2


class DeckError(LossquizError):
    """The deck is invalid; lists every problem found."""

    exit_code = 3

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"invalid deck ({len(problems)} {noun}):\n  " + "\n  ".join(problems))


class DeckFileError(DeckError):
    """A deck file that cannot be read safely (a FIFO, a device, too large): one line, exit 3."""

    def __init__(self, message: str) -> None:
        self.problems = [message]
        LossquizError.__init__(self, message)


class SnippetError(LossquizError):
    """A snippet failed, hung, or disagreed with its reference (or torch is missing)."""

    exit_code = 4


class NotesError(LossquizError):
    """Markdown notes cannot be imported; lists every problem found, with line numbers."""

    exit_code = 1

    def __init__(self, problems: list[str], *, hint: str = "") -> None:
        self.problems = problems
        self.hint = hint  # what to do about them: printed after the list, not counted as a problem
        tail = f"\n  {hint}" if hint else ""
        if len(problems) == 1:
            super().__init__(f"cannot import: {problems[0]}{tail}")
        else:
            super().__init__(f"cannot import ({len(problems)} problems):\n  " + "\n  ".join(problems) + tail)


class UntrustedDeckError(LossquizError):
    """The deck's snippets are code the user has not trusted (see `lossquiz trust`)."""

    exit_code = 1


class HistoryError(LossquizError):
    """A history file cannot be read or fails validation; lists every bad line."""

    exit_code = 1

    def __init__(self, where: str, problems: list[str]) -> None:
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"{where}: not imported ({len(problems)} {noun}, nothing was changed):\n  " + "\n  ".join(problems)
        )


class UsageError(LossquizError):
    """A command was given something it cannot use (a formula that does not parse, a card without one)."""

    exit_code = 2
