"""Class-weighted cross-entropy, F.cross_entropy(logits, target, weight=w), from scratch.

CE_i = logsumexp(z_i) - z_i[y_i];  with reduction='mean' and class weights w, PyTorch returns
    sum_i w[y_i] CE_i / sum_i w[y_i]      (a WEIGHTED mean: it divides by the sum of the
                                           weights of the targets, not by N)
so scaling every weight by a constant changes nothing; only the ratios matter. Typical choice:
w_c proportional to 1 / n_c (inverse frequency) or to 1 / effective number (Cui et al. 2019).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy(weight=w)"


def example():
    return {
        "logits": torch.tensor([[2.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        "target": torch.tensor([0, 1, 0]),
        "weight": torch.tensor([1.0, 4.0]),
    }


def problem(rng: random.Random):
    n = 2
    logits = [[float(rng.randint(-1, 2)), float(rng.randint(-1, 2))] for _ in range(n)]
    target = [0, 1]
    rng.shuffle(target)
    return {
        "logits": torch.tensor(logits),
        "target": torch.tensor(target),
        "weight": torch.tensor([1.0, float(rng.choice([2, 3, 4, 9]))]),
    }


def loss(logits, target, weight):
    ce = logits.logsumexp(dim=1) - logits.gather(1, target[:, None]).squeeze(1)
    w_t = weight[target]
    return {
        "ce_per_sample": ce,
        "weight_of_target": w_t,
        "weighted_sum": (w_t * ce).sum(),
        "sum_of_weights": w_t.sum(),
        "unweighted_mean": ce.mean(),
        "value": (w_t * ce).sum() / w_t.sum(),
    }


def reference(logits, target, weight):
    return F.cross_entropy(logits, target, weight=weight)


def given(logits, target, weight):
    out = {}
    for row in logits.double():
        shifted = row - row.max()
        for v in sorted(set(shifted.tolist())):
            if v != 0:
                out[f"e^{v:g}"] = round(math.exp(v), 5)
        s = shifted.exp().sum().item()
        out[f"ln {s:.5g}"] = round(math.log(s), 5)
    return out


def mistakes(logits, target, weight):
    ce = F.cross_entropy(logits, target, reduction="none")
    w_t = weight[target]
    return {
        "divided by N: PyTorch's weighted mean divides by the sum of the targets' weights": (w_t * ce).sum() / len(ce),
        "weights ignored: that is the unweighted mean CE": ce.mean(),
        "weight of the predicted (argmax) class used instead of the true class's": (
            weight[logits.argmax(dim=1)] * ce
        ).sum()
        / weight[logits.argmax(dim=1)].sum(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
