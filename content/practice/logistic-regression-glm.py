"""Practice task for card 'logistic-regression-glm': binary cross-entropy from logits."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "bce_with_logits"
DOCSTRING = """Binary cross-entropy from logits (the Bernoulli NLL of logistic regression),
as F.binary_cross_entropy_with_logits(logits, y) computes it.

Args:
    logits: raw scores z, any shape, floating point; p = sigmoid(z) is never given.
    y: targets of the same shape and dtype, in [0, 1] (hard 0/1 labels or soft labels).

Returns:
    A 0-dim tensor with the dtype of logits: the MEAN over all elements (reduction='mean') of
        -[y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))]      (natural log).

Numerics: must stay finite and accurate for logits of +-1000. sigmoid(z) rounds to exactly
1.0 in float32 from z ~ 17, so log(1 - sigmoid(z)) becomes log(0): use
log sigmoid(z) = -softplus(-z) and log(1 - sigmoid(z)) = -softplus(z), with a stable softplus
(max(z, 0) + log1p(exp(-|z|)), F.softplus or F.logsigmoid).

Checked: values and the gradient w.r.t. logits ((sigmoid(z) - y) / numel).
"""
REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits(logits, y)"
BUILTIN = ("binary_cross_entropy_with_logits",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one element",
    "batch of 8",
    "multi-label 4 x 6",
    "soft targets in [0, 1]",
    "logits of +-1000",
    "zero logits",
    "float64",
]
STABILITY = {"logits of +-1000"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def bce_with_logits(logits: Tensor, y: Tensor) -> Tensor:
    log_p = F.logsigmoid(logits)  # log sigmoid(z) = -softplus(-z), stable
    log_1mp = F.logsigmoid(-logits)  # log(1 - sigmoid(z)) = -softplus(z)
    return -(y * log_p + (1 - y) * log_1mp).mean()


def reference(logits, y):
    return F.binary_cross_entropy_with_logits(logits, y)


def inputs(gen, case):
    def labels(*shape, dtype=torch.float32):
        return torch.randint(0, 2, shape, generator=gen).to(dtype)

    if case == "one element":
        return {"logits": torch.randn(1, generator=gen), "y": labels(1)}
    if case == "batch of 8":
        return {"logits": torch.randn(8, generator=gen) * 3, "y": labels(8)}
    if case == "multi-label 4 x 6":
        return {"logits": torch.randn(4, 6, generator=gen) * 2, "y": labels(4, 6)}
    if case == "soft targets in [0, 1]":
        return {"logits": torch.randn(10, generator=gen) * 2, "y": torch.rand(10, generator=gen)}
    if case == "logits of +-1000":
        return {
            "logits": torch.tensor([1000.0, -1000.0, 1000.0, -1000.0, 20.0, -20.0]),
            "y": torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0]),
        }
    if case == "zero logits":
        return {"logits": torch.zeros(6), "y": labels(6)}
    if case == "float64":
        return {"logits": torch.randn(5, 3, generator=gen, dtype=torch.float64) * 4, "y": labels(5, 3, dtype=torch.float64)}
    raise ValueError(case)


HINTS = {
    "zero logits": (
        "at z = 0 exactly, max(z, 0) and |z| are kinks: autograd's subgradients of "
        "max(z, 0) + log1p(exp(-|z|)) do not add up to sigmoid(0) - y. Use F.logsigmoid / F.softplus, "
        "or write relu(z) as (z + |z|) / 2 (a zero-initialised head gives exactly these logits)"
    ),
}
