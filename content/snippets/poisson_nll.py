"""Poisson negative log-likelihood for count regression, from scratch, against
F.poisson_nll_loss(log_input=True, full=False) and torch.distributions.Poisson.

The network predicts s = log(rate) (so the rate exp(s) is positive); for counts y:
    NLL = exp(s) - y s + log(y!)      -> PyTorch's full=False drops log(y!) (constant in s)
per element, mean over elements. d/ds = exp(s) - y: the canonical (log) link again gives
"prediction minus target". With log_input=False the input is the rate itself and the loss is
rate - y log(rate + eps). The optimum rate is the conditional mean E[y|x]. Tweedie losses
(1 < p < 2, compound Poisson-gamma) generalise this to zero-inflated positive targets.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.poisson_nll_loss(log_input=True, full=False); -Poisson(exp(s)).log_prob(y) - lgamma(y+1)"


def example():
    return {"log_rate": torch.tensor([0.0, math.log(2.0), 1.0]), "y": torch.tensor([1.0, 3.0, 0.0])}


def problem(rng: random.Random):
    n = 3
    return {
        "log_rate": torch.tensor([rng.choice([-math.log(2.0), 0.0, math.log(2.0), math.log(3.0)]) for _ in range(n)]),
        "y": torch.tensor([float(rng.randint(0, 5)) for _ in range(n)]),
    }


def loss(log_rate, y):
    rate = log_rate.exp()
    per_element = rate - y * log_rate
    return {
        "rate": rate,
        "per_element": per_element,
        "grad_log_rate": (rate - y) / y.numel(),
        "value": per_element.mean(),
    }


def reference(log_rate, y):
    builtin = F.poisson_nll_loss(log_rate, y, log_input=True, full=False)
    dist = (-torch.distributions.Poisson(log_rate.exp()).log_prob(y) - torch.lgamma(y + 1)).mean()
    assert torch.allclose(builtin, dist, atol=1e-5)
    return builtin


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
