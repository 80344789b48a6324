"""`optimize`: the fit and the parameters in use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lossquiz.ui.console import inline

if TYPE_CHECKING:  # annotations only: `list` and `stats` need not import these modules
    from lossquiz.progress.fitting import Fit, InUse


def fit_report(fit: Fit) -> RenderableType:
    """What `optimize` fitted, how much better it predicts, and the workload-optimal retention."""
    lines: list[RenderableType] = [
        Text.assemble(
            ("✓ fitted FSRS parameters", "bold green"),
            f" to {fit.reviews:,} reviews ({fit.training:,} on a later day than the card's previous one) — saved.",
        ),
        inline("Drills schedule with them from now on. `lossquiz optimize --show` lists them, `--reset` undoes."),
    ]
    if fit.loss_default is not None and fit.loss_fitted is not None:
        lines.append(
            Text(
                f"log-loss of the recall predictions on your history: default {fit.loss_default:.4f} "
                f"→ fitted {fit.loss_fitted:.4f} (lower is better)"
            )
        )
    if fit.rmse_default is not None and fit.rmse_fitted is not None:
        lines.append(
            Text(f"RMSE (bins), as Anki reports it: default {fit.rmse_default:.4f} → fitted {fit.rmse_fitted:.4f}")
        )
    if fit.optimal_retention is not None:
        tail = (
            " — now the drill default" if fit.applied_retention else " — `lossquiz optimize --apply-retention` uses it"
        )
        lines.append(inline(f"retention that minimises workload: {fit.optimal_retention:g}{tail}"))
    elif fit.retention_note:
        lines.append(Text(f"retention that minimises workload: not estimated ({fit.retention_note})", style="dim"))
    return Group(*lines)


def parameters_in_use(current: InUse, *, reset: bool | None = None) -> RenderableType:
    """`optimize --show`: which FSRS parameters and retention the drill uses, against the defaults."""
    parts: list[RenderableType] = []
    if reset is not None:
        parts.append(Text("reset: back to the defaults" if reset else "nothing to reset: the defaults were in use"))
    if current.fitted:
        when = current.fitted_at.astimezone().strftime("%Y-%m-%d %H:%M") if current.fitted_at else "?"
        head = Text.assemble(("FSRS parameters in use: ", "bold"), f"fitted on {current.reviews:,} reviews, {when}")
    else:
        history = current.history
        head = Text.assemble(("FSRS parameters in use: ", "bold"), "FSRS-6 defaults")
        parts.append(head)
        if history.training >= current.needed:
            head = inline(f"not fitted yet: {history.training:,} training reviews, enough for `lossquiz optimize`")
        else:
            head = inline(
                f"not fitted yet: {history.training:,} of the {current.needed} training reviews "
                "`lossquiz optimize` needs so far"
            )
    source = "set by `optimize --apply-retention`" if current.retention_stored else "default"
    parts += [head, inline(f"desired retention: {current.retention:g} ({source}; `drill --retention` overrides)")]
    table = Table(box=None, pad_edge=False, header_style="bold")
    for column in ("w", "default", "in use"):
        table.add_column(column, justify="right")
    for i, (default, used) in enumerate(zip(current.defaults, current.parameters, strict=True)):
        style = "cyan" if abs(default - used) > 1e-9 else ""
        table.add_row(f"w{i}", f"{default:.4f}", Text(f"{used:.4f}", style=style))
    parts.append(table)
    return Group(*parts)


# -- implement-it practice (`lossquiz code`) ---------------------------------------------------
