"""Supervised contrastive loss (Khosla et al., 2020), from scratch, against
torch.nn.functional.cross_entropy with soft targets.

N L2-normalised embeddings with class labels. For anchor i: P(i) = the other samples with the same
label (all views of all same-class images), A(i) = every sample except i.
    L_out = (1/N) sum_i  -(1/|P(i)|) sum_{p in P(i)} log[ exp(z_i.z_p/tau) / sum_{a in A(i)} exp(z_i.z_a/tau) ]
    L_in  = (1/N) sum_i  -log[ (1/|P(i)|) sum_{p in P(i)} exp(z_i.z_p/tau) / sum_{a in A(i)} exp(z_i.z_a/tau) ]
The paper's Eq. 2 (L_out, log outside the average over positives) trains better than L_in (log
inside): by Jensen L_in <= L_out, and L_out's gradient weights every positive equally.
With one positive per anchor (the other view) it is SimCLR's NT-Xent. The official code also
multiplies by tau / base_tau (both 0.07 by default, so a factor 1).
Reference: L_out = mean_i CE(logits_i with self masked, target = uniform over P(i)).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy(logits with self masked, soft target uniform over positives)"

_UNIT = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (0.6, 0.8), (0.8, 0.6), (-0.6, 0.8),
         (0.8, -0.6), (-0.8, -0.6), (0.6, -0.8)]


def example():
    return {"features": torch.tensor([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-0.6, 0.8]]),
            "labels": torch.tensor([0, 0, 1, 1]), "temperature": 0.5}


def problem(rng: random.Random):
    labels = rng.choice([[0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 0, 2, 2]])
    scales = [rng.choice([0.5, 1.0, 2.0]) for _ in labels]  # raw embeddings: SupCon normalises them
    feats = [[s * a for a in v] for s, v in zip(scales, rng.sample(_UNIT, len(labels)))]
    return {"features": torch.tensor(feats), "labels": torch.tensor(labels),
            "temperature": rng.choice([0.1, 0.5, 1.0])}


def loss(features, labels, temperature=0.07):
    z = features / features.norm(dim=1, keepdim=True)
    n = z.shape[0]
    logits = z @ z.T / temperature
    self_mask = torch.eye(n, dtype=torch.bool)
    pos = (labels[:, None] == labels[None, :]) & ~self_mask
    log_denominator = torch.logsumexp(logits.masked_fill(self_mask, float("-inf")), dim=1)
    log_prob = logits - log_denominator[:, None]
    n_pos = pos.sum(dim=1)
    l_out = -(log_prob * pos).sum(dim=1) / n_pos
    l_in = -(torch.logsumexp(logits.masked_fill(~pos, float("-inf")), dim=1) - torch.log(n_pos.float())
             - log_denominator)
    return {
        "logits": logits,
        "positives_per_anchor": n_pos.float(),
        "l_out_per_anchor": l_out,
        "l_in_per_anchor": l_in,
        "l_in": l_in.mean(),  # <= l_out (Jensen)
        "value": l_out.mean(),
    }


def reference(features, labels, temperature=0.07):
    z = F.normalize(features, dim=1)
    n = z.shape[0]
    logits = (z @ z.T / temperature) - 1e9 * torch.eye(n)  # self excluded from the denominator
    pos = ((labels[:, None] == labels[None, :]) & ~torch.eye(n, dtype=torch.bool)).float()
    return F.cross_entropy(logits, pos / pos.sum(dim=1, keepdim=True))


def mistakes(features, labels, temperature=0.07):
    z = F.normalize(features, dim=1)
    n = z.shape[0]
    logits = z @ z.T / temperature
    eye = torch.eye(n, dtype=torch.bool)
    pos = (labels[:, None] == labels[None, :]) & ~eye
    with_self = logits - torch.logsumexp(logits, dim=1, keepdim=True)  # self left in the denominator
    raw = features @ features.T / temperature
    raw_lp = raw - torch.logsumexp(raw.masked_fill(eye, float("-inf")), dim=1, keepdim=True)
    return {
        "that is L_in (log of the average over positives); the paper's L_out puts the log inside the average":
            loss(features, labels, temperature)["l_in"],
        "the anchor itself was left in the denominator; A(i) excludes i": (
            -(with_self * pos).sum(1) / pos.sum(1)).mean(),
        "that is the sum over positives; L_out averages over |P(i)|": (
            -(((logits - torch.logsumexp(logits.masked_fill(eye, float('-inf')), 1, keepdim=True)) * pos).sum(1))).mean(),
        "embeddings not normalised: SupCon uses cosine similarity": (-(raw_lp * pos).sum(1) / pos.sum(1)).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
