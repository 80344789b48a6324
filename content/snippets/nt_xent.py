"""SimCLR's NT-Xent loss, from scratch, against torch.nn.functional.cross_entropy over the
masked 2N x 2N similarity matrix.

Views z1[k], z2[k] of N images -> 2N embeddings; s_ij = cosine similarity. For anchor i with
positive j (its other view):
  l(i, j) = -log( exp(s_ij/T) / sum_{k != i} exp(s_ik/T) ),   L = mean over all 2N anchors
(Chen et al., 2020, SimCLR Eq. 1). Each anchor solves a (2N - 1)-way classification: 1 positive
+ 2(N - 1) negatives (the other images' views, from BOTH augmentation batches). T is a key
hyperparameter (SimCLR: T = 0.1 for ImageNet with large batches, T = 0.5 on CIFAR-10).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy over the masked similarity matrix"

_UNIT = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)] + [
    (sx * a, sy * b) for a, b in [(0.6, 0.8), (0.8, 0.6)] for sx in (1, -1) for sy in (1, -1)]


def example():
    return {
        "z1": torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
        "z2": torch.tensor([[0.8, 0.6], [-0.6, 0.8]]),
        "temperature": 0.5,
    }


def problem(rng: random.Random):
    picks = rng.sample(_UNIT, 4)
    return {"z1": torch.tensor(picks[:2]), "z2": torch.tensor(picks[2:]),
            "temperature": rng.choice([0.5, 1.0])}


def loss(z1, z2, temperature=0.5):
    z = torch.cat([z1, z2])
    z = z / z.norm(dim=1, keepdim=True)
    n2 = z.shape[0]
    n = n2 // 2
    sim = z @ z.T  # cosine similarities, 2N x 2N
    per_anchor = torch.zeros(n2)
    for i in range(n2):
        j = (i + n) % n2  # the other view of the same image
        denom = sum(math.exp(sim[i, k] / temperature) for k in range(n2) if k != i)
        per_anchor[i] = -(sim[i, j] / temperature) + math.log(denom)
    return {
        "similarity": sim,
        "n_way": torch.tensor(float(n2 - 1)),
        "per_anchor": per_anchor,
        "value": per_anchor.mean(),
    }


def reference(z1, z2, temperature=0.5):
    z = torch.cat([z1, z2])
    n2 = z.shape[0]
    logits = F.cosine_similarity(z.unsqueeze(1), z.unsqueeze(0), dim=2) / temperature
    logits = logits.masked_fill(torch.eye(n2, dtype=torch.bool), float("-inf"))  # drop k = i
    target = (torch.arange(n2) + n2 // 2) % n2
    return F.cross_entropy(logits, target)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
