"""Logit-adjusted softmax cross-entropy (Menon et al., ICLR 2021, "Long-tail learning via logit
adjustment"), from scratch, against the paper's pairwise-margin form.

Training-time (loss) adjustment: CE on z + tau * log(prior), i.e.
    l = -log [ exp(z_y + tau log pi_y) / sum_j exp(z_j + tau log pi_j) ]
so rare classes (small pi) need a larger logit margin to reach the same loss; at test time
predict argmax z (the raw logits). Post-hoc adjustment is the same idea after training:
predict argmax_j (z_j - tau log pi_j). tau = 1 is the paper's default; with tau = 1 this equals
Balanced Softmax (Ren et al. 2020). Mean over the batch.
Reference (a second route): the paper's pairwise form
    l = log [ 1 + sum_{j != y} (pi_j / pi_y)^tau exp(z_j - z_y) ]
evaluated with explicit prior RATIOS in a Python loop (float64).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "pairwise form log(1 + sum_{j!=y} (pi_j/pi_y)^tau e^{z_j - z_y}) in a loop"


def example():
    return {
        "logits": torch.tensor([[2.0, 1.0, 0.0], [1.0, 0.0, 0.5]]),
        "target": torch.tensor([0, 2]),
        "prior": torch.tensor([0.7, 0.2, 0.1]),
        "tau": 1.0,
    }


def problem(rng: random.Random):
    prior = rng.choice([[0.8, 0.2], [0.9, 0.1], [0.75, 0.25], [0.6, 0.4]])
    return {
        "logits": torch.tensor([[float(rng.randint(-2, 2)), float(rng.randint(-2, 2))]]),
        "target": torch.tensor([rng.randrange(2)]),
        "prior": torch.tensor(prior),
        "tau": rng.choice([1.0, 0.5]),
    }


def loss(logits, target, prior, tau=1.0):
    adjusted = logits + tau * prior.log()
    per_sample = adjusted.logsumexp(dim=1) - adjusted.gather(1, target[:, None]).squeeze(1)
    return {
        "tau_log_prior": tau * prior.log(),
        "adjusted_logits": adjusted,
        "per_sample": per_sample,
        "plain_ce": F.cross_entropy(logits, target),
        "posthoc_prediction": (logits - tau * prior.log()).argmax(dim=1).float(),
        "value": per_sample.mean(),
    }


def reference(logits, target, prior, tau=1.0):
    total = 0.0
    for z, y in zip(logits.double().tolist(), target.tolist(), strict=True):
        pi = prior.double().tolist()
        s = sum((pi[j] / pi[y]) ** tau * math.exp(z[j] - z[y]) for j in range(len(z)) if j != y)
        total += math.log1p(s)
    return torch.tensor(total / len(target))


def mistakes(logits, target, prior, tau=1.0):
    wrong_sign = logits - tau * prior.log()
    return {
        "wrong sign: the loss ADDS tau·log π (subtracting it is the post-hoc rule at test time)": F.cross_entropy(wrong_sign, target),
        "prior added without the log": F.cross_entropy(logits + tau * prior, target),
        "no adjustment: that is the plain cross-entropy": F.cross_entropy(logits, target),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
