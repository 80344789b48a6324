"""SigLIP's pairwise sigmoid loss, from scratch, against
torch.nn.functional.binary_cross_entropy_with_logits (sum over pairs / N).

logits_ij = t * cos(image_i, text_j) + b,   t = exp(t_prime),   z_ij = +1 if i == j else -1
L = -(1/N) sum_i sum_j log sigmoid(z_ij * logits_ij)       (Zhai et al., 2023, Algorithm 1)
Every image-text pair is an independent binary classification: no softmax, no normalisation
over the batch. t_prime and b are learned, initialised to t_prime = log 10 and b = -10; the
negative bias offsets the N^2 - N negatives against N positives at the start of training.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits(reduction='sum') / N"

_UNIT = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)] + [
    (sx * a, sy * b) for a, b in [(0.6, 0.8), (0.8, 0.6)] for sx in (1, -1) for sy in (1, -1)]


def example():
    return {
        "image_emb": torch.tensor([[1.0, 0.0], [0.0, 1.0], [-0.6, 0.8]]),
        "text_emb": torch.tensor([[0.8, 0.6], [0.6, 0.8], [-0.8, 0.6]]),
        "t_prime": math.log(10.0),
        "bias": -10.0,
    }


def problem(rng: random.Random):
    n = rng.choice([2, 3])
    picks = rng.sample(_UNIT, 2 * n)
    return {"image_emb": torch.tensor(picks[:n]), "text_emb": torch.tensor(picks[n:]),
            "t_prime": rng.choice([0.0, math.log(10.0)]), "bias": rng.choice([-10.0, -5.0, 0.0])}


def loss(image_emb, text_emb, t_prime=math.log(10.0), bias=-10.0):
    img = image_emb / image_emb.norm(dim=1, keepdim=True)
    txt = text_emb / text_emb.norm(dim=1, keepdim=True)
    n = img.shape[0]
    logits = math.exp(t_prime) * (img @ txt.T) + bias
    labels = 2 * torch.eye(n) - 1  # +1 on the diagonal (matching pairs), -1 elsewhere
    per_pair = torch.log1p(torch.exp(-labels * logits))  # -log sigmoid(z * logit)
    eye = torch.eye(n, dtype=torch.bool)
    return {
        "logits": logits,
        "labels": labels,
        "per_pair": per_pair,
        "positives_part": per_pair[eye].sum() / n,
        "negatives_part": per_pair[~eye].sum() / n,
        "value": per_pair.sum() / n,
    }


def reference(image_emb, text_emb, t_prime=math.log(10.0), bias=-10.0):
    logits = math.exp(t_prime) * F.normalize(image_emb, dim=1) @ F.normalize(text_emb, dim=1).T + bias
    targets = torch.eye(logits.shape[0])  # BCE with 0/1 targets == -log sigmoid(+-logit)
    return F.binary_cross_entropy_with_logits(logits, targets, reduction="sum") / logits.shape[0]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
