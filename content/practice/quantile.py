"""Practice task for card 'quantile': the quantile (pinball) loss."""

import torch
from torch import Tensor

FUNCTION = "pinball_loss"
DOCSTRING = """Quantile (pinball) loss for quantile level tau (Koenker & Bassett 1978).

Args:
    y: targets, any shape, floating point.
    y_hat: predictions of the tau-quantile, same shape and dtype as y.
    tau: quantile level in (0, 1). Default 0.5 (the median: then the loss is MAE / 2).

Returns:
    A 0-dim tensor with the dtype of y_hat: the MEAN over all elements of
        rho_tau(u) = max(tau * u, (tau - 1) * u),      u = y - y_hat
    so UNDER-prediction (y > y_hat) costs tau per unit and over-prediction costs 1 - tau.

Checked: values and the gradient w.r.t. y_hat (not at u = 0 exactly, where any subgradient
in [-tau, 1 - tau] is accepted).
"""
REFERENCE = "the indicator form mean(u * (tau - 1{u < 0}))"
CASES = [
    "one element",
    "batch of 8, tau 0.9",
    "matrix 3 x 4, tau 0.1",
    "default tau (median)",
    "exact predictions (u = 0)",
    "float64, tau 0.75",
]
STABILITY: set[str] = set()
NO_GRAD = {"exact predictions (u = 0)"}
GRAD = ("y_hat",)


def pinball_loss(y: Tensor, y_hat: Tensor, tau: float = 0.5) -> Tensor:
    u = y - y_hat
    return torch.maximum(tau * u, (tau - 1) * u).mean()


def reference(y, y_hat, tau=0.5):
    u = y - y_hat
    return (u * (tau - (u < 0).to(u.dtype))).mean()


def inputs(gen, case):
    def draw(*shape, dtype=torch.float32):
        return {"y": torch.randn(*shape, generator=gen, dtype=dtype) * 2, "y_hat": torch.randn(*shape, generator=gen, dtype=dtype)}

    if case == "one element":
        return {**draw(1), "tau": 0.3}
    if case == "batch of 8, tau 0.9":
        return {**draw(8), "tau": 0.9}
    if case == "matrix 3 x 4, tau 0.1":
        return {**draw(3, 4), "tau": 0.1}
    if case == "default tau (median)":
        return draw(10)
    if case == "exact predictions (u = 0)":
        y = torch.randn(5, generator=gen)
        return {"y": y, "y_hat": y.clone(), "tau": 0.25}
    if case == "float64, tau 0.75":
        return {**draw(4, 5, dtype=torch.float64), "tau": 0.75}
    raise ValueError(case)


def _swapped(y, y_hat, tau=0.5):
    return reference(y, y_hat, 1 - tau)


MISTAKES = {
    "tau and 1 - tau swapped: under-prediction (y > y_hat, u > 0) must cost tau": _swapped,
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value, snippet_value["loss"]
