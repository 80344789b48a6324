"""Batch-hard triplet loss (Hermans, Beyer & Leibe, 2017), from scratch, against a brute force
over every triplet with torch.nn.functional.triplet_margin_loss.

A PK batch: P identities x K samples each. For every anchor, take its HARDEST positive (the
farthest same-label sample) and its HARDEST negative (the closest other-label sample):
    L = (1/N) sum_a max(0, max_p d(a, p) - min_n d(a, n) + margin),  d Euclidean (not squared)
Because max(0, .) is monotone this equals, per anchor, the largest hinge over all (p, n) pairs:
that is the brute-force reference. Hermans et al. also use a soft margin, softplus(d_ap - d_an).
Here embeddings are 1-D so distances are |a - b| and the problem is workable by hand.
Hardest negatives can be FALSE negatives or label noise, and hardest-first mining can collapse
training (FaceNet); batch-hard works with a PK sampler and moderate batches.
"""

import itertools
import random

import torch
import torch.nn.functional as F

REFERENCE = "max over all (p, n) of F.triplet_margin_loss(reduction='none') per anchor, mean"
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}  # triplet_margin_loss adds eps = 1e-6 inside the norm


def example():
    return {"embeddings": torch.tensor([[0.0], [1.0], [2.5], [1.5], [3.0]]),
            "labels": torch.tensor([0, 0, 0, 1, 1]), "margin": 1.0}


def problem(rng: random.Random):
    values = rng.sample([x / 2 for x in range(0, 11)], 5)
    labels = [0, 0, 0, 1, 1]
    rng.shuffle(labels)
    return {"embeddings": torch.tensor([[v] for v in values]), "labels": torch.tensor(labels),
            "margin": rng.choice([0.5, 1.0, 2.0])}


def loss(embeddings, labels, margin=1.0):
    d = (embeddings[:, None, :] - embeddings[None, :, :]).norm(dim=2)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    hardest_pos = d.masked_fill(~same | eye, float("-inf")).max(dim=1).values
    hardest_neg = d.masked_fill(same, float("inf")).min(dim=1).values
    per_anchor = torch.clamp(hardest_pos - hardest_neg + margin, min=0)
    return {
        "distances": d,
        "hardest_positive_distance": hardest_pos,
        "hardest_negative_distance": hardest_neg,
        "per_anchor": per_anchor,
        "soft_margin_variant": F.softplus(hardest_pos - hardest_neg).mean(),
        "value": per_anchor.mean(),
    }


def reference(embeddings, labels, margin=1.0):
    n = len(labels)
    best = []
    for a in range(n):
        hinges = [F.triplet_margin_loss(embeddings[a:a + 1], embeddings[p:p + 1], embeddings[q:q + 1],
                                        margin=margin, reduction="none")[0]
                  for p, q in itertools.product(range(n), range(n))
                  if p != a and labels[p] == labels[a] and labels[q] != labels[a]]
        best.append(torch.stack(hinges).max())
    return torch.stack(best).mean()


def mistakes(embeddings, labels, margin=1.0):
    d = (embeddings[:, None, :] - embeddings[None, :, :]).norm(dim=2)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    pos_max = d.masked_fill(~same | eye, float("-inf")).max(dim=1).values
    pos_min = d.masked_fill(~same | eye, float("inf")).min(dim=1).values
    neg_min = d.masked_fill(same, float("inf")).min(dim=1).values
    neg_max = d.masked_fill(same, float("-inf")).max(dim=1).values
    return {
        "the hardest positive is the FARTHEST same-label sample, not the closest": torch.clamp(
            pos_min - neg_min + margin, min=0).mean(),
        "the hardest negative is the CLOSEST other-label sample, not the farthest": torch.clamp(
            pos_max - neg_max + margin, min=0).mean(),
        "those are squared distances; batch-hard uses the Euclidean distance": torch.clamp(
            pos_max**2 - neg_min**2 + margin, min=0).mean(),
        "that is the sum over anchors; the loss is the mean": torch.clamp(pos_max - neg_min + margin, min=0).sum(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
