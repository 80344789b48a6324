"""Dropout as a regulariser: the expected squared error of a linear model under inverted input
dropout, in closed form, against exact enumeration of every dropout mask.

Inverted dropout: x~_j = m_j x_j / (1 - p), m_j ~ Bernoulli(1 - p) (p = DROP probability, as in
torch.nn.Dropout), so E[x~] = x. For prediction w.x~:
  E_m[(y - w.x~)^2] = (y - w.x)^2 + p/(1 - p) * sum_j w_j^2 x_j^2
i.e. squared error plus a data-dependent ridge penalty (Srivastava et al., 2014, Sec. 9.1;
Wager, Wang & Liang, 2013). For GLMs the match to an adaptive L2 penalty is only approximate.
"""

import itertools
import random

import torch

REFERENCE = "exact expectation over all 2^D dropout masks"


def example():
    return {"x": torch.tensor([1.0, 2.0]), "w": torch.tensor([0.5, -1.0]), "y": 1.0, "p": 0.5}


def problem(rng: random.Random):
    return {"x": torch.tensor([float(rng.randint(-2, 2) or 1) for _ in range(2)]),
            "w": torch.tensor([rng.randint(-10, 10) / 10 for _ in range(2)]),
            "y": float(rng.randint(-2, 2)), "p": rng.choice([0.2, 0.5])}


def loss(x, w, y, p):
    residual = y - (w * x).sum()
    ratio = p / (1 - p)
    per_feature_penalty = ratio * (w * x) ** 2
    return {
        "clean_prediction": (w * x).sum(),
        "clean_sq_error": residual**2,
        "p_over_1_minus_p": torch.tensor(ratio),
        "per_feature_penalty": per_feature_penalty,
        "value": residual**2 + per_feature_penalty.sum(),
    }


def reference(x, w, y, p):
    total = torch.tensor(0.0)
    for mask in itertools.product([0.0, 1.0], repeat=x.numel()):
        m = torch.tensor(mask)
        prob = torch.prod(torch.where(m == 1, 1 - p, p))
        total = total + prob * (y - (w * m * x / (1 - p)).sum()) ** 2
    return total


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
