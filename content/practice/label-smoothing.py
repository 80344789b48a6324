"""Practice task for card 'label-smoothing': label-smoothed cross-entropy from logits."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "label_smoothing_ce"
DOCSTRING = """Label-smoothed cross-entropy from logits, as
F.cross_entropy(logits, target, label_smoothing=epsilon) computes it.

Args:
    logits: (N, K) raw scores, floating point.
    target: (N,) int64 class indices in [0, K).
    epsilon: smoothing mass. Default 0.1 (Szegedy et al. 2016; PyTorch's own default is 0.0).

Returns:
    A 0-dim tensor with the dtype of logits: the MEAN over the N rows of
        -sum_k y_ls[k] log softmax(logits[i])[k],
        y_ls = (1 - epsilon) onehot(target[i]) + epsilon / K
    i.e. epsilon is spread uniformly over ALL K classes (the true class included), so the
    true class gets 1 - epsilon + epsilon / K.

Numerics: must stay finite and accurate for logits of +-1000: use log_softmax / logsumexp.

Checked: values and the gradient w.r.t. logits.
"""
REFERENCE = "torch.nn.functional.cross_entropy(logits, target, label_smoothing=epsilon)"
BUILTIN = ("cross_entropy",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one row, 2 classes, epsilon 0.2",
    "4 rows, 3 classes",
    "batch of 32, 10 classes, epsilon 0.3",
    "default epsilon",
    "epsilon 0 (plain cross-entropy)",
    "logits of +-1000",
    "float64, 16 rows x 50 classes",
]
STABILITY = {"logits of +-1000"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def label_smoothing_ce(logits: Tensor, target: Tensor, epsilon: float = 0.1) -> Tensor:
    log_q = logits - logits.logsumexp(dim=1, keepdim=True)
    nll = -log_q.gather(1, target[:, None]).squeeze(1)
    uniform = -log_q.mean(dim=1)  # CE against the uniform distribution: eps / K on each of the K classes
    return ((1 - epsilon) * nll + epsilon * uniform).mean()


def reference(logits, target, epsilon=0.1):
    return F.cross_entropy(logits, target, label_smoothing=epsilon)


def inputs(gen, case):
    def draw(n, k, scale=2.0, dtype=torch.float32):
        return {
            "logits": torch.randn(n, k, generator=gen, dtype=dtype) * scale,
            "target": torch.randint(0, k, (n,), generator=gen),
        }

    if case == "one row, 2 classes, epsilon 0.2":
        return {**draw(1, 2), "epsilon": 0.2}
    if case == "4 rows, 3 classes":
        return {**draw(4, 3), "epsilon": 0.1}
    if case == "batch of 32, 10 classes, epsilon 0.3":
        return {**draw(32, 10), "epsilon": 0.3}
    if case == "default epsilon":
        return draw(6, 5)
    if case == "epsilon 0 (plain cross-entropy)":
        return {**draw(6, 5), "epsilon": 0.0}
    if case == "logits of +-1000":
        return {
            "logits": torch.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]]),
            "target": torch.tensor([1, 2]),
            "epsilon": 0.1,
        }
    if case == "float64, 16 rows x 50 classes":
        return {**draw(16, 50, scale=4.0, dtype=torch.float64), "epsilon": 0.2}
    raise ValueError(case)


def _over_k_minus_1(logits, target, epsilon=0.1):
    k = logits.shape[1]
    log_q = logits.log_softmax(dim=1)
    onehot = F.one_hot(target, k).to(logits.dtype)
    y = (1 - epsilon) * onehot + epsilon / (k - 1) * (1 - onehot)
    return -(y * log_q).sum(dim=1).mean()


MISTAKES = {
    "epsilon spread over the K - 1 wrong classes: the convention spreads it over all K (y_ls = (1 - eps) onehot + eps / K)": (
        _over_k_minus_1
    ),
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value, snippet_value["loss"]
