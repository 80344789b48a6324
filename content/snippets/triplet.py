"""Triplet margin loss, from scratch, against torch.nn.functional.triplet_margin_loss.

L = mean_i max(0, d(a_i, p_i) - d(a_i, n_i) + margin),  d = Euclidean distance (NOT squared).
These are the torch defaults: margin = 1.0, p = 2, reduction = 'mean' (torch also adds eps = 1e-6
inside the norm). FaceNet (Schroff et al., 2015) instead used SQUARED L2 distances between
L2-normalised embeddings with alpha = 0.2, and online semi-hard negative mining; that variant is
shown as a step. Triplet types: easy (d_an > d_ap + margin, zero loss), semi-hard
(d_ap < d_an < d_ap + margin), hard (d_an < d_ap).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.triplet_margin_loss (p=2)"

# Offsets with "nice" Euclidean norms, so the distances are workable by hand.
_OFFSETS = [(0.3, 0.4), (0.4, 0.3), (0.6, 0.8), (0.8, 0.6), (1.0, 0.0), (0.0, 1.0), (0.5, 0.0),
            (0.0, 0.5), (1.2, 0.5), (0.5, 1.2), (0.9, 1.2), (1.2, 1.6), (2.0, 0.0), (0.0, 2.0),
            (0.8, 1.5), (1.5, 0.8), (0.7, 2.4), (2.4, 1.0), (1.0, 2.4), (2.1, 2.0), (1.5, 2.0)]


def example():
    return {
        "anchor": torch.tensor([[1.0, 0.0], [1.0, 1.0]]),
        "positive": torch.tensor([[1.3, 0.4], [1.0, 2.0]]),
        "negative": torch.tensor([[2.2, 0.5], [1.0, 3.0]]),
        "margin": 1.0,
    }


def _sign(rng):
    return rng.choice([-1, 1])


def problem(rng: random.Random):
    while True:
        anchors, positives, negatives = [], [], []
        ok = True
        margin = rng.choice([0.5, 1.0, 2.0])
        for _ in range(2):
            a = [rng.randint(-10, 10) / 10 for _ in range(2)]
            (px, py), (nx, ny) = rng.choice(_OFFSETS), rng.choice(_OFFSETS)
            p = [a[0] + _sign(rng) * px, a[1] + _sign(rng) * py]
            n = [a[0] + _sign(rng) * nx, a[1] + _sign(rng) * ny]
            slack = (px**2 + py**2) ** 0.5 - (nx**2 + ny**2) ** 0.5 + margin
            ok &= abs(slack) > 0.05  # keep clear of the hinge's kink
            anchors.append(a)
            positives.append(p)
            negatives.append(n)
        if ok:
            return {"anchor": torch.tensor(anchors), "positive": torch.tensor(positives),
                    "negative": torch.tensor(negatives), "margin": margin}


def loss(anchor, positive, negative, margin=1.0):
    d_ap = ((anchor - positive) ** 2).sum(dim=1).sqrt()
    d_an = ((anchor - negative) ** 2).sum(dim=1).sqrt()
    per_triplet = torch.clamp(d_ap - d_an + margin, min=0)
    kind = torch.where(d_an < d_ap, 2.0, torch.where(d_an < d_ap + margin, 1.0, 0.0))
    # FaceNet variant: squared distances between L2-normalised embeddings, alpha = 0.2.
    a, p, n = (F.normalize(t, dim=1) for t in (anchor, positive, negative))
    facenet = torch.clamp(((a - p) ** 2).sum(1) - ((a - n) ** 2).sum(1) + 0.2, min=0).mean()
    return {
        "d_ap": d_ap,
        "d_an": d_an,
        "per_triplet": per_triplet,
        "kind_0easy_1semihard_2hard": kind,
        "facenet_variant_sq_l2_normalised_alpha_0.2": facenet,
        "value": per_triplet.mean(),
    }


def reference(anchor, positive, negative, margin=1.0):
    return F.triplet_margin_loss(anchor, positive, negative, margin=margin, p=2)


def mistakes(anchor, positive, negative, margin=1.0):
    d_ap = (anchor - positive).norm(dim=1)
    d_an = (anchor - negative).norm(dim=1)
    return {
        "those are squared distances; torch's default is the plain Euclidean distance (p = 2)": torch.clamp(
            d_ap**2 - d_an**2 + margin, min=0).mean(),
        "that is the sum over triplets; the default reduction is the mean": torch.clamp(
            d_ap - d_an + margin, min=0).sum(),
        "positive and negative swapped: the loss is d(a, p) − d(a, n) + margin": torch.clamp(
            d_an - d_ap + margin, min=0).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
