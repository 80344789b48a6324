"""Practice task for card 'focal': alpha-balanced sigmoid focal loss (RetinaNet)."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "focal_loss"
DOCSTRING = """Binary (sigmoid) focal loss, alpha-balanced (Lin et al. 2017, RetinaNet), as
torchvision.ops.sigmoid_focal_loss(logits, y, alpha, gamma, reduction='mean').

Args:
    logits: raw scores z, any shape, floating point.
    y: hard labels 0.0 / 1.0, same shape and dtype as logits.
    alpha: weight of the positive class; negatives get 1 - alpha. Default 0.25 (the paper).
    gamma: focusing parameter. Default 2.0 (the paper). gamma = 0 is alpha-weighted BCE.

Returns:
    A 0-dim tensor with the dtype of logits: the MEAN over all elements of
        -alpha_t (1 - p_t)**gamma log(p_t),
    p = sigmoid(z); p_t = p if y = 1 else 1 - p; alpha_t = alpha if y = 1 else 1 - alpha.

Numerics: must stay finite and accurate for logits of +-1000: take log(p_t) from a stable
BCE-with-logits / logsigmoid, never log(sigmoid(z)).

Checked: values and the gradient w.r.t. logits.
"""
REFERENCE = "torchvision's sigmoid_focal_loss formula on F.binary_cross_entropy_with_logits(reduction='none')"
BUILTIN = ("sigmoid_focal_loss",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one element",
    "batch of 8",
    "multi-label 4 x 6",
    "gamma 0 (alpha-weighted BCE)",
    "alpha 0.5, gamma 1",
    "logits of +-1000",
    "float64",
]
STABILITY = {"logits of +-1000"}
NO_GRAD: set[str] = set()
GRAD = ("logits",)


def focal_loss(logits: Tensor, y: Tensor, alpha: float = 0.25, gamma: float = 2.0) -> Tensor:
    log_p = F.logsigmoid(logits)
    log_1mp = F.logsigmoid(-logits)
    log_p_t = y * log_p + (1 - y) * log_1mp
    p_t = log_p_t.exp()
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return (-alpha_t * (1 - p_t) ** gamma * log_p_t).mean()


def reference(logits, y, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return (alpha_t * (1 - p_t) ** gamma * ce).mean()


def inputs(gen, case):
    def draw(*shape, scale=2.0, dtype=torch.float32):
        return {
            "logits": torch.randn(*shape, generator=gen, dtype=dtype) * scale,
            "y": torch.randint(0, 2, shape, generator=gen).to(dtype),
        }

    if case == "one element":
        return draw(1)
    if case == "batch of 8":
        return draw(8)
    if case == "multi-label 4 x 6":
        return draw(4, 6)
    if case == "gamma 0 (alpha-weighted BCE)":
        return {**draw(10), "gamma": 0.0}
    if case == "alpha 0.5, gamma 1":
        return {**draw(10), "alpha": 0.5, "gamma": 1.0}
    if case == "logits of +-1000":
        return {
            "logits": torch.tensor([1000.0, -1000.0, 1000.0, -1000.0, 30.0, -30.0]),
            "y": torch.tensor([0.0, 1.0, 1.0, 0.0, 0.0, 1.0]),
        }
    if case == "float64":
        return draw(5, 3, scale=3.0, dtype=torch.float64)
    raise ValueError(case)


def _alpha_swapped(logits, y, alpha=0.25, gamma=2.0):
    return reference(logits, y, 1 - alpha, gamma)


def _alpha_for_all(logits, y, alpha=0.25, gamma=2.0):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = p * y + (1 - p) * (1 - y)
    return (alpha * (1 - p_t) ** gamma * ce).mean()


# On a case with one class only, two of these give the same number: the hint then names both.
MISTAKES = {
    "alpha weights the POSITIVES (y = 1) and 1 - alpha the negatives: they are swapped": _alpha_swapped,
    "alpha is the POSITIVES' weight only: the negatives (y = 0) get 1 - alpha, not alpha": _alpha_for_all,
}


def from_snippet(example, snippet):
    # the card's snippet names it gamma_focal; practice keeps torchvision's name, gamma
    return {"logits": example["logits"], "y": example["y"], "alpha": example["alpha"], "gamma": example["gamma_focal"]}
