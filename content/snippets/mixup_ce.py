"""Mixup / CutMix loss, from scratch, against F.cross_entropy with probability targets.

Mixup (Zhang et al. 2018): x = lam x_a + (1 - lam) x_b, lam ~ Beta(a, a); the loss is
    lam CE(z, y_a) + (1 - lam) CE(z, y_b)
which equals CE against the mixed soft target lam onehot(y_a) + (1 - lam) onehot(y_b), because
CE is linear in the target. CutMix (Yun et al. 2019) pastes a box from x_b into x_a and uses the
same loss with lam = 1 - (box area) / (W H), recomputed from the clipped box.
Reference: F.cross_entropy(logits, soft_target) (probability targets, torch >= 1.10).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy(logits, lam*onehot(y_a) + (1-lam)*onehot(y_b))"


def example():
    return {
        "logits": torch.tensor([[2.0, 1.0, 0.0]]),
        "target_a": torch.tensor([0]),
        "target_b": torch.tensor([2]),
        "lam": 0.7,
    }


def problem(rng: random.Random):
    a, b = rng.sample(range(3), 2)
    z = [float(rng.randint(-1, 2)) for _ in range(3)]
    return {
        "logits": torch.tensor([z]),
        "target_a": torch.tensor([a]),
        "target_b": torch.tensor([b]),
        "lam": rng.choice([0.6, 0.7, 0.8, 0.9]),
    }


def loss(logits, target_a, target_b, lam):
    log_q = logits - logits.logsumexp(dim=1, keepdim=True)
    ce_a = -log_q.gather(1, target_a[:, None]).squeeze(1)
    ce_b = -log_q.gather(1, target_b[:, None]).squeeze(1)
    k = logits.shape[1]
    soft = lam * F.one_hot(target_a, k).float() + (1 - lam) * F.one_hot(target_b, k).float()
    return {
        "log_q": log_q,
        "ce_a": ce_a,
        "ce_b": ce_b,
        "mixed_target": soft,
        "value": (lam * ce_a + (1 - lam) * ce_b).mean(),
    }


def reference(logits, target_a, target_b, lam):
    k = logits.shape[1]
    soft = lam * F.one_hot(target_a, k).float() + (1 - lam) * F.one_hot(target_b, k).float()
    return F.cross_entropy(logits, soft)


def given(logits, target_a, target_b, lam):
    out = {}
    row = logits.double()[0]
    shifted = row - row.max()
    for v in sorted(set(shifted.tolist())):
        if v != 0:
            out[f"e^{v:g}"] = round(math.exp(v), 5)
    s = shifted.exp().sum().item()
    out[f"ln {s:.5g}"] = round(math.log(s), 5)
    return out


def mistakes(logits, target_a, target_b, lam):
    ce_a = F.cross_entropy(logits, target_a)
    ce_b = F.cross_entropy(logits, target_b)
    return {
        "lam and 1 - lam swapped: lam weights the label of x_a": (1 - lam) * ce_a + lam * ce_b,
        "only the first label's CE": ce_a,
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
