"""Pairwise contrastive loss (Hadsell, Chopra & LeCun, 2006), from scratch, against torch
built-ins used through two limiting cases.

L = mean_i [ y_i d_i^2 + (1 - y_i) max(0, margin - d_i)^2 ],  d_i = ||x1_i - x2_i||_2 (not squared)
Convention here: y = 1 for a similar pair, y = 0 for a dissimilar one, no 1/2 factors, mean over
pairs. Hadsell et al. write L = (1 - Y) 1/2 D^2 + Y 1/2 max(0, m - D)^2 with Y = 0 for SIMILAR
pairs: same loss up to the factor 1/2 and the label flip.
Dissimilar pairs further apart than the margin contribute exactly 0 (no unbounded push).

Reference (no torch built-in exists for this loss): a similar pair costs d^2 =
F.pairwise_distance^2; a dissimilar pair costs the triplet hinge in the limiting case
positive = anchor (d_ap = 0): F.triplet_margin_loss(x1, x1, x2, margin) = max(0, m - d), squared.
The reference also asserts the limiting case d > m -> no push.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "pairwise_distance^2 (similar) and triplet_margin_loss with positive = anchor, squared (dissimilar)"

# Offsets with "nice" Euclidean norms (3-4-5 and 5-12-13 triangles), so d is workable by hand.
_OFFSETS = [(0.3, 0.4), (0.4, 0.3), (0.6, 0.8), (0.8, 0.6), (1.0, 0.0), (0.0, 1.0),
            (0.5, 0.0), (0.0, 0.5), (1.2, 0.5), (0.5, 1.2), (0.9, 1.2), (1.2, 1.6), (2.0, 0.0)]


def example():
    return {
        "x1": torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.5, -0.5]]),
        "x2": torch.tensor([[0.3, 0.4], [1.6, 1.8], [2.5, -0.5]]),
        "y": torch.tensor([1.0, 0.0, 0.0]),
        "margin": 2.0,
    }


def problem(rng: random.Random):
    n = 3
    labels = [1.0, 0.0] + [float(rng.randint(0, 1))]
    rng.shuffle(labels)
    x1, x2 = [], []
    for _ in range(n):
        a = [rng.randint(-10, 10) / 10 for _ in range(2)]
        dx, dy = rng.choice(_OFFSETS)
        dx, dy = dx * rng.choice([-1, 1]), dy * rng.choice([-1, 1])
        x1.append(a)
        x2.append([a[0] + dx, a[1] + dy])
    return {"x1": torch.tensor(x1), "x2": torch.tensor(x2), "y": torch.tensor(labels),
            "margin": rng.choice([1.0, 2.0])}


def loss(x1, x2, y, margin=1.0):
    diff = x1 - x2
    d = (diff**2).sum(dim=1).sqrt()
    pull = y * d**2  # similar pairs: squared distance
    push = (1 - y) * torch.clamp(margin - d, min=0) ** 2  # dissimilar: only inside the margin
    per_pair = pull + push
    return {
        "distance": d,
        "pull_similar": pull,
        "push_dissimilar": push,
        "per_pair": per_pair,
        "value": per_pair.mean(),
    }


def reference(x1, x2, y, margin=1.0):
    similar = F.pairwise_distance(x1, x2, eps=0.0) ** 2
    # d_ap = ||x1 - x1 + eps|| ~ 1e-6: the triplet hinge becomes max(0, margin - d)
    hinge = F.triplet_margin_loss(x1, x1, x2, margin=margin, reduction="none")
    d = F.pairwise_distance(x1, x2, eps=0.0)
    assert bool(((d > margin + 1e-4) <= (hinge < 1e-4)).all())  # beyond the margin: exactly no push
    per_pair = torch.where(y == 1, similar, hinge**2)
    return per_pair.mean()


def mistakes(x1, x2, y, margin=1.0):
    d = (x1 - x2).norm(dim=1)
    pull, push = y * d**2, (1 - y) * torch.clamp(margin - d, min=0) ** 2
    return {
        "that has Hadsell et al.'s ½ on both terms; the card asks for no ½ factors": (0.5 * (pull + push)).mean(),
        "that is the sum over pairs; the card asks for the mean": (pull + push).sum(),
        "labels flipped: y = 1 marks a SIMILAR pair here": (
            (1 - y) * d**2 + y * torch.clamp(margin - d, min=0) ** 2).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
