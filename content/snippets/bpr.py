"""Bayesian Personalised Ranking (Rendle et al., 2009), from scratch, against
torch.nn.functional.binary_cross_entropy_with_logits.

Implicit feedback: for user u, an item i they interacted with should score above an item j they
did not (sampled). With x_uij = s_pos - s_neg:
    L = mean over triples of -log sigma(s_pos - s_neg)      (+ lambda ||Theta||^2 in the paper)
the pairwise logistic loss: RankNet with target 1. It optimises a smoothed AUC: the 0/1 indicator
[s_pos > s_neg] is replaced by sigma. Gradient: dL/ds_pos = -sigma(-(s_pos - s_neg)) / N.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits(s_pos - s_neg, ones)"


def example():
    return {"s_pos": torch.tensor([2.0, 0.5, 1.0]), "s_neg": torch.tensor([1.0, 1.5, -1.0])}


def problem(rng: random.Random):
    n = 3
    return {"s_pos": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(n)]),
            "s_neg": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(n)])}


def loss(s_pos, s_neg):
    x = s_pos - s_neg
    per_triple = -F.logsigmoid(x)
    return {
        "x_uij": x,
        "per_triple": per_triple,
        "smoothed_auc_sigma": torch.sigmoid(x).mean(),
        "auc_indicator": (x > 0).float().mean(),
        "grad_s_pos": -torch.sigmoid(-x) / x.numel(),
        "value": per_triple.mean(),
    }


def reference(s_pos, s_neg):
    x = s_pos - s_neg
    return F.binary_cross_entropy_with_logits(x, torch.ones_like(x))


def given(s_pos, s_neg):
    return {f"ln σ({x:g})": round(float(F.logsigmoid(torch.tensor(x))), 4)
            for x in sorted(set((s_pos - s_neg).tolist()))}


def mistakes(s_pos, s_neg):
    x = s_pos - s_neg
    return {
        "wrong sign: BPR is −log σ(s_pos − s_neg)": (-F.logsigmoid(-x)).mean(),
        "that is the sum over triples; the card asks for the mean": (-F.logsigmoid(x)).sum(),
        "that is −σ(x) (a smoothed AUC), not −log σ(x)": (-torch.sigmoid(x)).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
