"""Practice task for card 'hinge': the binary hinge (SVM) loss."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "hinge_loss"
DOCSTRING = """Binary hinge loss of a linear SVM (Cortes & Vapnik 1995).

Args:
    y: labels in {-1.0, +1.0} (NOT 0/1), any shape, floating point.
    y_hat: raw scores f(x) (not probabilities), same shape and dtype as y.

Returns:
    A 0-dim tensor with the dtype of y_hat: the MEAN over all elements of
        max(0, 1 - y * y_hat)
    (margin 1; exactly 0 once y * y_hat >= 1).

Checked: values and the (sub)gradient w.r.t. y_hat: -y where y * y_hat < 1, else 0
(at y * y_hat = 1 exactly any subgradient is accepted).
"""
REFERENCE = "2 * torch.nn.functional.multi_margin_loss on two-class scores [0, f]"
BUILTIN = ("multi_margin_loss",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one element",
    "batch of 8",
    "matrix 4 x 5",
    "all beyond the margin (zero loss)",
    "margins exactly 1",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD = {"margins exactly 1"}
GRAD = ("y_hat",)


def hinge_loss(y: Tensor, y_hat: Tensor) -> Tensor:
    return (1 - y * y_hat).clamp(min=0).mean()


def reference(y, y_hat):
    f = y_hat.reshape(-1)
    scores = torch.stack([torch.zeros_like(f), f], dim=1)
    return 2 * F.multi_margin_loss(scores, (y.reshape(-1) > 0).long(), margin=1.0)


def inputs(gen, case):
    def signs(*shape, dtype=torch.float32):
        return torch.randint(0, 2, shape, generator=gen).to(dtype) * 2 - 1

    if case == "one element":
        return {"y": signs(1), "y_hat": torch.randn(1, generator=gen) * 0.5}
    if case == "batch of 8":
        return {"y": signs(8), "y_hat": torch.randn(8, generator=gen) * 2}
    if case == "matrix 4 x 5":
        return {"y": signs(4, 5), "y_hat": torch.randn(4, 5, generator=gen) * 2}
    if case == "all beyond the margin (zero loss)":
        y = signs(6)
        return {"y": y, "y_hat": y * (1.5 + torch.rand(6, generator=gen))}
    if case == "margins exactly 1":
        y = signs(4)
        return {"y": y, "y_hat": y.clone()}
    if case == "float64":
        return {"y": signs(3, 4, dtype=torch.float64), "y_hat": torch.randn(3, 4, generator=gen, dtype=torch.float64) * 2}
    raise ValueError(case)


def _logistic(y, y_hat):
    return F.softplus(-y * y_hat).mean()


MISTAKES = {
    "that is the logistic loss log(1 + e^{-y f}); the hinge is max(0, 1 - y f)": _logistic,
}
