"""Practice task for card 'cross-entropy-logits': cross-entropy from logits, against F.cross_entropy."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "cross_entropy"
DOCSTRING = """Cross-entropy from logits, as F.cross_entropy(logits, target) computes it.

Args:
    logits: (N, C) raw scores, NOT probabilities (softmax is applied inside), floating point.
    target: (N,) int64 class indices in [0, C).

Returns:
    A 0-dim tensor with the dtype of logits: the MEAN over the N rows (PyTorch's default
    reduction='mean') of
        -log softmax(logits[i])[target[i]] = logsumexp(logits[i]) - logits[i, target[i]]
    in nats (natural log).

Numerics: must stay finite and accurate for logits of +-1000 (in float32, exp overflows
above ~88.7): never exponentiate a raw logit; subtract the row max first, or use
torch.logsumexp / F.log_softmax.

Checked: values and the gradient w.r.t. logits (softmax(logits) - onehot(target), / N).
"""
REFERENCE = "torch.nn.functional.cross_entropy(logits, target)"
BUILTIN = ("cross_entropy",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one row, 2 classes",
    "4 rows, 3 classes",
    "batch of 32, 10 classes",
    "logits of +-1000",
    "all logits equal (ties)",
    "a single class",
    "float64, 64 rows x 100 classes",
]
STABILITY = {"logits of +-1000"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def cross_entropy(logits: Tensor, target: Tensor) -> Tensor:
    row_max = logits.max(dim=1, keepdim=True).values
    log_sum_exp = row_max.squeeze(1) + (logits - row_max).exp().sum(dim=1).log()
    true_logit = logits.gather(1, target[:, None]).squeeze(1)
    return (log_sum_exp - true_logit).mean()


def reference(logits, target):
    return F.cross_entropy(logits, target)


def inputs(gen, case):
    def draw(n, c, scale=1.0, dtype=torch.float32):
        return {
            "logits": torch.randn(n, c, generator=gen, dtype=dtype) * scale,
            "target": torch.randint(0, c, (n,), generator=gen),
        }

    if case == "one row, 2 classes":
        return draw(1, 2)
    if case == "4 rows, 3 classes":
        return draw(4, 3, scale=2.0)
    if case == "batch of 32, 10 classes":
        return draw(32, 10, scale=3.0)
    if case == "logits of +-1000":
        return {
            "logits": torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 1000.0, -1000.0]]),
            "target": torch.tensor([1, 0, 2]),
        }
    if case == "all logits equal (ties)":
        out = draw(5, 4)
        out["logits"] = torch.full((5, 4), 2.5)
        return out
    if case == "a single class":
        return draw(3, 1)
    if case == "float64, 64 rows x 100 classes":
        return draw(64, 100, scale=5.0, dtype=torch.float64)
    raise ValueError(case)


def _on_probabilities(logits, target):
    p = logits.softmax(dim=1)
    return F.cross_entropy(p, target)


MISTAKES = {
    "softmax applied twice: cross_entropy takes raw logits, not probabilities": _on_probabilities,
}
