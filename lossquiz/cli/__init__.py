"""The command line: one module per command group, each a thin layer over the core.

A command resolves its options, calls the core, hands the result to a view in `lossquiz.ui`,
and maps `LossquizError` to its exit code through `exit_on_error`. `app.COMMANDS` names each
command's module (and the help order); a module is imported only when one of its commands runs.
"""

from lossquiz.cli.app import app, exit_on_error, main

__all__ = ["app", "exit_on_error", "main"]
