"""The command line: one module per command group, each a thin layer over the core.

A command resolves its options, calls the core, hands the result to a view in `lossquiz.ui`,
and maps `LossquizError` to its exit code through `exit_on_error`. Import order is help order.
"""

from lossquiz.cli import drill, deck, code, notes, progress, card, config  # noqa: F401, I001 (each registers its commands)
from lossquiz.cli.app import app, exit_on_error, main

__all__ = ["app", "exit_on_error", "main"]
