"""Practice task for card 'huber': Huber loss, checked against torch.nn.functional.huber_loss."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "huber_loss"
DOCSTRING = """Huber loss between targets y and predictions y_hat, as F.huber_loss(y_hat, y, delta=delta).

Args:
    y: target tensor, any shape, floating point.
    y_hat: prediction tensor, same shape and dtype as y.
    delta: where the loss turns from quadratic to linear. Default 1.0 (PyTorch's default).

Returns:
    A 0-dim tensor with the dtype of y_hat: the MEAN over all elements (reduction='mean') of
        0.5 * r**2                   if |r| <= delta
        delta * (|r| - 0.5 * delta)  otherwise,        r = y - y_hat.

Checked: values and the gradient w.r.t. y_hat, for scalars, vectors, matrices, float64,
residuals far outside delta, residuals exactly at +-delta, and several deltas.
"""
REFERENCE = "torch.nn.functional.huber_loss(y_hat, y, delta=delta)"
BUILTIN = ("huber_loss",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one element",
    "small residuals (all inside delta)",
    "batch of 8",
    "matrix 4x5, delta 0.5",
    "large residuals (|r| up to 1e4)",
    "residuals exactly at +-delta",
    "float64, delta 2",
    "all zero residuals",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("y_hat",)


def huber_loss(y: Tensor, y_hat: Tensor, delta: float = 1.0) -> Tensor:
    r = y - y_hat
    quadratic = 0.5 * r**2
    linear = delta * (r.abs() - 0.5 * delta)
    return torch.where(r.abs() <= delta, quadratic, linear).mean()


def reference(y, y_hat, delta=1.0):
    return F.huber_loss(y_hat, y, delta=delta)


def inputs(gen, case):
    def randn(*shape, dtype=torch.float32, scale=1.0):
        return torch.randn(*shape, generator=gen, dtype=dtype) * scale

    if case == "one element":
        return {"y": randn(1), "y_hat": randn(1)}
    if case == "small residuals (all inside delta)":
        y = randn(6)
        return {"y": y, "y_hat": y + (torch.rand(6, generator=gen) - 0.5)}
    if case == "batch of 8":
        return {"y": randn(8, scale=2.0), "y_hat": randn(8, scale=2.0), "delta": 1.0}
    if case == "matrix 4x5, delta 0.5":
        return {"y": randn(4, 5), "y_hat": randn(4, 5), "delta": 0.5}
    if case == "large residuals (|r| up to 1e4)":
        return {"y": randn(16, scale=1e4), "y_hat": randn(16), "delta": 1.0}
    if case == "residuals exactly at +-delta":
        y = randn(4)
        return {"y": y, "y_hat": y + torch.tensor([1.0, -1.0, 1.0, -1.0]), "delta": 1.0}
    if case == "float64, delta 2":
        return {"y": randn(3, 7, dtype=torch.float64, scale=3.0), "y_hat": randn(3, 7, dtype=torch.float64), "delta": 2.0}
    if case == "all zero residuals":
        y = randn(5)
        return {"y": y, "y_hat": y.clone()}
    raise ValueError(case)


def _no_half(y, y_hat, delta=1.0):
    r = y - y_hat
    return torch.where(r.abs() <= delta, r**2, delta * (r.abs() - 0.5 * delta)).mean()


def _no_half_linear(y, y_hat, delta=1.0):
    r = y - y_hat
    return torch.where(r.abs() <= delta, 0.5 * r**2, delta * r.abs()).mean()


MISTAKES = {
    "the quadratic piece needs the 1/2: 0.5 * r**2 (it must meet the linear piece smoothly at |r| = delta)": _no_half,
    "the linear piece is delta * (|r| - delta / 2), not delta * |r| (the two pieces must meet at |r| = delta)": (
        _no_half_linear
    ),
}
