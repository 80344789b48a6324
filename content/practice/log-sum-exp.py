"""Practice task for card 'log-sum-exp': a stable log-softmax from logits."""

import torch
from torch import Tensor

FUNCTION = "log_softmax"
DOCSTRING = """Log-softmax over the last dimension, computed stably (the log-sum-exp trick).

Args:
    logits: (..., C) raw scores, floating point, any number of leading dimensions.

Returns:
    A tensor shaped like logits, same dtype:
        log softmax(z)_k = z_k - LSE(z),   LSE(z) = m + log sum_i exp(z_i - m),   m = max_i z_i
    over the LAST dimension (as torch.log_softmax(logits, dim=-1)).

Numerics: must stay finite and accurate for logits of +-1000 and for logits that are all
around 1000 (float32 exp overflows above ~88.7): subtract the max before exponentiating.

Checked: values and the gradient w.r.t. logits.
"""
REFERENCE = "torch.log_softmax(logits, dim=-1)"
BUILTIN = ("logsumexp", "log_softmax")  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one row of 3",
    "batch 8 x 10",
    "3-D input (2, 3, 5)",
    "logits of +-1000",
    "all logits around 1000",
    "float64",
]
STABILITY = {"logits of +-1000", "all logits around 1000"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def log_softmax(logits: Tensor) -> Tensor:
    m = logits.max(dim=-1, keepdim=True).values
    shifted = logits - m
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def reference(logits):
    return torch.log_softmax(logits, dim=-1)


def inputs(gen, case):
    if case == "one row of 3":
        return {"logits": torch.randn(1, 3, generator=gen)}
    if case == "batch 8 x 10":
        return {"logits": torch.randn(8, 10, generator=gen) * 3}
    if case == "3-D input (2, 3, 5)":
        return {"logits": torch.randn(2, 3, 5, generator=gen) * 2}
    if case == "logits of +-1000":
        return {"logits": torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 999.0, 1000.0]])}
    if case == "all logits around 1000":
        return {"logits": 1000.0 + torch.randn(4, 5, generator=gen)}
    if case == "float64":
        return {"logits": torch.randn(6, 7, generator=gen, dtype=torch.float64) * 4}
    raise ValueError(case)


def _wrong_dim(logits):
    return torch.log_softmax(logits, dim=0)


MISTAKES = {
    "normalised over the wrong dimension: softmax runs over the LAST one (classes)": _wrong_dim,
}


def from_snippet(example, snippet):
    return {"logits": example["logits"]}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0], snippet_value  # the card asks for log softmax(z)[target], target = 0
