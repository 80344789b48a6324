"""Practice task for card 'triplet-loss': triplet margin loss, against F.triplet_margin_loss."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "triplet_margin_loss"
DOCSTRING = """Triplet margin loss, as F.triplet_margin_loss(anchor, positive, negative, margin=margin).

Args:
    anchor, positive, negative: (N, D) embeddings, floating point.
    margin: Default 1.0 (PyTorch's default; FaceNet used 0.2 on squared distances).

Returns:
    A 0-dim tensor with the dtype of anchor: the MEAN over the N triplets of
        max(0, d(a, p) - d(a, n) + margin)
    with d the Euclidean distance (p = 2, NOT squared). PyTorch computes
    d(x, y) = ||x - y + 1e-6||_2; adding that eps, or none, both pass within tolerance.

Numerics: the gradient must stay finite when anchor == positive (sqrt at 0 has an infinite
derivative: keep an eps inside the norm, as PyTorch does).

Checked: values and the gradients w.r.t. anchor, positive and negative.
"""
REFERENCE = "torch.nn.functional.triplet_margin_loss(anchor, positive, negative, margin=margin, p=2)"
BUILTIN = ("triplet_margin_loss",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one triplet, 2-D",
    "batch of 8, 16-D",
    "easy triplets (zero loss)",
    "margin 0.2",
    "anchor equals positive",
    "float64",
]
STABILITY = {"anchor equals positive"}
NO_GRAD = {"anchor equals positive"}
GRAD = ("anchor", "positive", "negative")
TOLERANCE = {"rtol": 1e-4, "atol": 2e-5}


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0) -> Tensor:
    d_ap = (anchor - positive + 1e-6).pow(2).sum(dim=1).sqrt()
    d_an = (anchor - negative + 1e-6).pow(2).sum(dim=1).sqrt()
    return (d_ap - d_an + margin).clamp(min=0).mean()


def reference(anchor, positive, negative, margin=1.0):
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=2)


def inputs(gen, case):
    def emb(n, d, dtype=torch.float32, scale=1.0):
        return torch.randn(n, d, generator=gen, dtype=dtype) * scale

    if case == "one triplet, 2-D":
        return {"anchor": emb(1, 2), "positive": emb(1, 2), "negative": emb(1, 2)}
    if case == "batch of 8, 16-D":
        return {"anchor": emb(8, 16), "positive": emb(8, 16), "negative": emb(8, 16)}
    if case == "easy triplets (zero loss)":
        a = emb(4, 3)
        return {"anchor": a, "positive": a + emb(4, 3, scale=0.1), "negative": a + 10.0, "margin": 1.0}
    if case == "margin 0.2":
        return {"anchor": emb(6, 4), "positive": emb(6, 4), "negative": emb(6, 4), "margin": 0.2}
    if case == "anchor equals positive":
        a = emb(3, 4)
        return {"anchor": a, "positive": a.clone(), "negative": emb(3, 4, scale=0.3)}
    if case == "float64":
        return {"anchor": emb(5, 8, torch.float64), "positive": emb(5, 8, torch.float64), "negative": emb(5, 8, torch.float64)}
    raise ValueError(case)


def _squared(anchor, positive, negative, margin=1.0):
    d_ap = (anchor - positive).pow(2).sum(dim=1)
    d_an = (anchor - negative).pow(2).sum(dim=1)
    return (d_ap - d_an + margin).clamp(min=0).mean()


MISTAKES = {
    "squared distances (FaceNet's variant): the convention is the plain Euclidean distance ||a - p||_2": _squared,
}
