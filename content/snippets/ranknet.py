"""RankNet's pairwise loss (Burges et al., 2005), from scratch, against
torch.nn.functional.binary_cross_entropy_with_logits.

For a pair of documents (i, j) of one query with scores s_i, s_j, the model's probability that
i ranks above j is P_ij = sigma(s_i - s_j) (sigma's scale = 1 here). The target is
Pbar_ij = 1 if i is more relevant, 0 if less, 1/2 for a tie, and the loss is the cross-entropy
    C_ij = -Pbar log P_ij - (1 - Pbar) log(1 - P_ij) = softplus(s_i - s_j) - Pbar (s_i - s_j)
averaged over the pairs. Its gradient w.r.t. s_i is sigma(s_i - s_j) - Pbar ("lambda_ij"), which
LambdaRank multiplies by |Delta NDCG_ij| (see ranking_lists.py). BPR is the case Pbar = 1.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits(s_i - s_j, p_target)"


def example():
    return {"s_i": torch.tensor([2.0, 0.5, 1.0]), "s_j": torch.tensor([1.0, 1.5, 1.0]),
            "p_target": torch.tensor([1.0, 1.0, 0.5])}


def problem(rng: random.Random):
    n = 3
    return {"s_i": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(n)]),
            "s_j": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(n)]),
            "p_target": torch.tensor([rng.choice([0.0, 0.5, 1.0, 1.0]) for _ in range(n)])}


def loss(s_i, s_j, p_target):
    diff = s_i - s_j
    p_model = torch.sigmoid(diff)
    per_pair = F.softplus(diff) - p_target * diff
    return {
        "score_difference": diff,
        "p_i_above_j": p_model,
        "per_pair": per_pair,
        "lambda_ij_grad_s_i_per_pair": p_model - p_target,
        "value": per_pair.mean(),
    }


def reference(s_i, s_j, p_target):
    return F.binary_cross_entropy_with_logits(s_i - s_j, p_target)


def mistakes(s_i, s_j, p_target):
    d = s_i - s_j
    return {
        "the pair's probability is σ(s_i − s_j), not σ(s_j − s_i)": (F.softplus(-d) + p_target * d).mean(),
        "that is the sum over pairs; the card asks for the mean": (F.softplus(d) - p_target * d).sum(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
