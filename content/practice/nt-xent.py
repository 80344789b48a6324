"""Practice task for card 'nt-xent': SimCLR's NT-Xent loss over 2N views."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "nt_xent_loss"
DOCSTRING = """SimCLR's NT-Xent loss (Chen et al. 2020, Eq. 1).

Args:
    z1: (N, D) embeddings of the first augmented view of N images, floating point.
    z2: (N, D) embeddings of the second view; z1[k] and z2[k] are a positive pair.
    temperature: Default 0.5 (SimCLR on CIFAR-10; ImageNet used 0.1).

Returns:
    A 0-dim tensor with the dtype of z1. Stack z = [z1; z2] (2N rows), s_ij = cosine similarity.
    For anchor i with positive j (its other view):
        l(i, j) = -log( exp(s_ij / T) / sum_{k != i} exp(s_ik / T) )
    and the loss is the MEAN over all 2N anchors. The denominator excludes only k = i: it has
    the positive and 2(N - 1) negatives, from BOTH views.

Numerics: must stay finite and accurate for temperature 0.01 (s / T up to 100): use
logsumexp / cross_entropy, and mask the diagonal with -inf (not by subtracting exp(1/T)).

Checked: values and the gradients w.r.t. z1 and z2.
"""
REFERENCE = "torch.nn.functional.cross_entropy over the masked 2N x 2N cosine-similarity matrix"
CASES = [
    "2 pairs, 2-D",
    "batch of 8, 32-D",
    "default temperature",
    "unnormalised embeddings",
    "temperature 0.01",
    "float64",
]
STABILITY = {"temperature 0.01"}
NO_GRAD: set[str] = set()
GRAD = ("z1", "z2")


def nt_xent_loss(z1: Tensor, z2: Tensor, temperature: float = 0.5) -> Tensor:
    z = torch.cat([z1, z2])
    z = z / z.norm(dim=1, keepdim=True)
    n2 = z.shape[0]
    logits = z @ z.T / temperature
    self_mask = torch.eye(n2, dtype=torch.bool)
    logits = logits.masked_fill(self_mask, float("-inf"))
    positive = (torch.arange(n2) + n2 // 2) % n2
    log_prob = logits[torch.arange(n2), positive] - logits.logsumexp(dim=1)
    return -log_prob.mean()


def reference(z1, z2, temperature=0.5):
    z = torch.cat([z1, z2])
    n2 = z.shape[0]
    logits = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=2) / temperature
    logits = logits.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))
    return F.cross_entropy(logits, (torch.arange(n2) + n2 // 2) % n2)


def inputs(gen, case):
    def draw(n, d, dtype=torch.float32, scale=1.0):
        return {
            "z1": torch.randn(n, d, generator=gen, dtype=dtype) * scale,
            "z2": torch.randn(n, d, generator=gen, dtype=dtype) * scale,
        }

    if case == "2 pairs, 2-D":
        return {**draw(2, 2), "temperature": 1.0}
    if case == "batch of 8, 32-D":
        return {**draw(8, 32), "temperature": 0.2}
    if case == "default temperature":
        return draw(4, 8)
    if case == "unnormalised embeddings":
        return {**draw(5, 6, scale=40.0), "temperature": 0.5}
    if case == "temperature 0.01":
        out = draw(4, 8)
        out["z2"] = out["z1"] * 3.0 + 0.01 * out["z2"]  # near-perfect positives: s / T ~ 100
        return {**out, "temperature": 0.01}
    if case == "float64":
        return {**draw(6, 10, dtype=torch.float64), "temperature": 0.1}
    raise ValueError(case)


def _self_in_denominator(z1, z2, temperature=0.5):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n2 = z.shape[0]
    return F.cross_entropy(z @ z.T / temperature, (torch.arange(n2) + n2 // 2) % n2)


def _one_direction(z1, z2, temperature=0.5):
    a, b = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    return F.cross_entropy(a @ b.T / temperature, torch.arange(len(a)))


MISTAKES = {
    "the anchor itself (k = i) must be left out of the denominator: mask the diagonal": _self_in_denominator,
    "negatives come from BOTH views (2N - 1 candidates per anchor), and all 2N anchors are averaged": _one_direction,
}
