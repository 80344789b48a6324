"""Stable log-sum-exp and log-softmax from logits, from scratch, against torch.logsumexp.

LSE(z) = m + log sum_i exp(z_i - m),  m = max_i z_i   (exact for any m; m = max avoids overflow)
log softmax(z)_k = z_k - LSE(z).  Value: log softmax(z)_target (natural log).
In float32 exp(z) overflows to inf above z ~ 88.7, so the naive log(sum(exp(z))) is inf and the
naive softmax is nan. This is why losses take logits: F.cross_entropy and
BCEWithLogitsLoss (log sigma(z) = -softplus(-z)) fuse the log with the softmax/sigmoid.
"""

import math
import random

import torch

REFERENCE = "logits[target] - torch.logsumexp(logits)"


def example():
    return {"logits": torch.tensor([1000.0, 1001.0, 999.0]), "target": torch.tensor(0)}


def problem(rng: random.Random):
    base = rng.choice([100.0, 200.0, 500.0, 1000.0])
    return {
        "logits": torch.tensor([base + rng.randint(0, 5) for _ in range(3)]),
        "target": torch.tensor(rng.randrange(3)),
    }


def loss(logits, target):
    m = logits.max()
    shifted = logits - m  # all <= 0: exp cannot overflow, and one term equals exactly 1
    sum_exp = shifted.exp().sum()
    lse = m + sum_exp.log()
    naive_lse = logits.exp().sum().log()  # inf in float32
    return {
        "max": m,
        "shifted": shifted,
        "exp_shifted": shifted.exp(),
        "sum_exp_shifted": sum_exp,
        "lse": lse,
        "naive_lse_overflows_to_inf": bool(torch.isinf(naive_lse)),
        "naive_softmax_is_nan": bool(torch.isnan(logits.exp() / logits.exp().sum()).any()),  # inf/inf
        # z_k - LSE computed as (z_k - m) - log(sum): no cancellation between two numbers ~1000
        "value": shifted[target] - sum_exp.log(),
    }


def reference(logits, target):
    z = logits.double()  # float64 so the subtraction of two numbers ~1000 loses nothing
    return (z[target] - torch.logsumexp(z, dim=0)).float()


def given(logits, target):
    z = logits.double()
    shifted = z - z.max()
    out = {f"e^{v:g}": round(math.exp(v), 5) for v in sorted(set(shifted.tolist())) if v != 0}
    s = shifted.exp().sum().item()
    out[f"ln {s:.5g}"] = round(math.log(s), 5)
    return out


def mistakes(logits, target):
    z = logits.double()
    lse = torch.logsumexp(z, dim=0)
    return {
        "wrong sign: log-softmax is z_k − LSE(z) ≤ 0": (lse - z[target]).float(),
        "forgot to add the max back: z_k − log Σ e^(z_j − m)": (z[target] - (z - z.max()).exp().sum().log()).float(),
    }

if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
