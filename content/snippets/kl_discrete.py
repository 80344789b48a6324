"""Discrete KL divergence, from scratch, against torch.nn.functional.kl_div.

KL(p || q) = sum_x p(x) log(p(x) / q(x))   (natural log, nats; summed over categories).
KL >= 0 with equality iff p = q (Gibbs); it is asymmetric, so KL(q || p) is a different number,
and it is +inf when q(x) = 0 where p(x) > 0. F.kl_div(input, target) computes
sum target * (log target - input): input = log q (log-probabilities), target = p. Its default
reduction='mean' divides by the number of elements; reduction='sum' (one distribution) or
'batchmean' (a batch of rows) gives the true KL (PyTorch docs, torch.nn.KLDivLoss).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.kl_div(q.log(), p, reduction='sum')"


def example():
    return {"p": torch.tensor([0.5, 0.3, 0.2]), "q": torch.tensor([0.2, 0.4, 0.4])}


def _simplex(rng: random.Random):
    a = rng.randint(1, 8)
    b = rng.randint(1, 9 - a)
    return torch.tensor([a / 10, b / 10, (10 - a - b) / 10])  # one-decimal, all > 0


def problem(rng: random.Random):
    return {"p": _simplex(rng), "q": _simplex(rng)}


def loss(p, q):
    log_ratio = p.log() - q.log()
    per_element = p * log_ratio
    cross_entropy = -(p * q.log()).sum()
    entropy = -(p * p.log()).sum()
    return {
        "log_ratio": log_ratio,
        "per_element": per_element,
        # H(p, q) - H(p) = KL(p || q): cross-entropy is KL plus the (constant) entropy of p.
        "cross_entropy_minus_entropy": cross_entropy - entropy,
        # Asymmetry: swap the arguments and the number changes.
        "kl_q_p_reverse": (q * (q.log() - p.log())).sum(),
        "value": per_element.sum(),
    }


def given(p, q):
    """Natural logs of the probabilities that occur (one decimal each)."""
    values = sorted(set(round(v, 4) for v in p.tolist() + q.tolist()))
    return {f"ln {v:g}": round(math.log(v), 4) for v in values}


def mistakes(p, q):
    kl = (p * (p.log() - q.log())).sum()
    return {
        "that is KL(q‖p), the reverse direction; the card asks for KL(p‖q)": (q * (q.log() - p.log())).sum(),
        "log base 2 (bits); the card asks for the natural log (nats)": kl / math.log(2),
        "that is F.kl_div's default reduction='mean' (divided by the 3 elements); KL is the sum": kl / 3,
        "that is the cross-entropy H(p, q); KL subtracts the entropy H(p)": -(p * q.log()).sum(),
    }


def reference(p, q):
    return F.kl_div(q.log(), p, reduction="sum")


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
