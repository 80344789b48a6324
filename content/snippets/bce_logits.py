"""Binary cross-entropy from logits = Bernoulli negative log-likelihood, against
torch.nn.functional.binary_cross_entropy_with_logits.

Logistic regression is a GLM: y ~ Bernoulli(p), p = sigma(z), z = w^T x (logit link).
NLL_i = -[y log p + (1 - y) log(1 - p)] computed stably from z:
log p = -softplus(-z), log(1 - p) = -softplus(z); mean over elements (reduction='mean').
dNLL/dz = p - y (the canonical link). The "naive_bce" step shows what goes wrong when you
take sigma(z) first: in float32 sigma(20) == 1.0, so BCE on probabilities hits log(0),
which PyTorch clamps at -100 (loss 100 instead of 20).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits"


def example():
    return {"logits": torch.tensor([2.0, -1.0, 20.0]), "y": torch.tensor([1.0, 0.0, 0.0])}


def problem(rng: random.Random):
    n = 3
    return {
        "logits": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(n)]),
        "y": torch.tensor([float(rng.randint(0, 1)) for _ in range(n)]),
    }


def _softplus(x):
    # log(1 + e^x) without overflow: max(x, 0) + log(1 + e^{-|x|})
    return torch.logaddexp(x, torch.zeros_like(x))  # = max(x, 0) + log1p(e^-|x|), with the right gradient at 0


def loss(logits, y):
    p = torch.sigmoid(logits)
    log_p = -_softplus(-logits)
    log_1mp = -_softplus(logits)
    nll = -(y * log_p + (1 - y) * log_1mp)
    return {
        "p": p,
        "log_p": log_p,
        "log_1_minus_p": log_1mp,
        "nll_per_element": nll,
        "grad_logits": (p - y) / y.numel(),  # p - y per element: the GLM score
        "bernoulli_nll": -torch.distributions.Bernoulli(logits=logits).log_prob(y).mean(),
        "naive_bce_on_sigmoid": F.binary_cross_entropy(p, y),  # clamps log at -100
        "value": nll.mean(),
    }


def reference(logits, y):
    return F.binary_cross_entropy_with_logits(logits, y)


def mistakes(logits, y):
    p = torch.sigmoid(logits)
    nll = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    return {
        "probabilities passed where logits are expected (sigmoid applied twice)": F.binary_cross_entropy_with_logits(p, y),
        "labels swapped: y and 1 - y": F.binary_cross_entropy_with_logits(logits, 1 - y),
        "log base 2 instead of ln": nll.mean() / math.log(2),
        "that is the sum; the card asks for the mean": nll.sum(),
    }

if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
