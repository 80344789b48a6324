"""In-batch softmax with the logQ sampling-bias correction (Yi et al., 2019, RecSys; as in
Bengio & Senecal's sampled softmax), from scratch, against torch.nn.functional.cross_entropy.

Two-tower retrieval: B queries and their B positive items; every other item of the batch is a
negative for query i. In-batch items are not uniform: popular items appear (as negatives) far
more often than under the full softmax, so they are over-penalised. The correction subtracts the
log of each item's sampling probability Q_j from its logit:
    s_ij = <q_i, v_j> / tau - log Q_j,    L = (1/B) sum_i CE(s_i, i)
Limiting case: uniform Q subtracts the same constant from every logit, which the softmax
ignores, so the correction does nothing (asserted in the reference). Q_j is estimated by
streaming frequency counts in production.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy(q @ v.T / tau - log Q, arange(B)); uniform-Q limit asserted"


def example():
    return {"query": torch.tensor([[1.0, 0.0], [0.0, 1.0]]),
            "item": torch.tensor([[0.8, 0.6], [0.6, 0.8]]),
            "log_q": torch.tensor([math.log(0.5), math.log(0.05)]),
            "temperature": 1.0}


def problem(rng: random.Random):
    unit = [(1.0, 0.0), (0.0, 1.0), (0.6, 0.8), (0.8, 0.6), (-0.6, 0.8), (0.8, -0.6)]
    b = 3
    probs = [rng.choice([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]) for _ in range(b)]
    return {"query": torch.tensor(rng.sample(unit, b)), "item": torch.tensor(rng.sample(unit, b)),
            "log_q": torch.tensor([math.log(p) for p in probs]),
            "temperature": rng.choice([0.5, 1.0])}


def loss(query, item, log_q, temperature=1.0):
    raw = query @ item.T / temperature
    corrected = raw - log_q[None, :]  # popular items (large Q) get their logit lowered
    diag = torch.arange(len(query))
    ce = lambda s: (torch.logsumexp(s, dim=1) - s[diag, diag]).mean()
    return {
        "raw_logits": raw,
        "corrected_logits": corrected,
        "uncorrected_loss": ce(raw),
        "value": ce(corrected),
    }


def reference(query, item, log_q, temperature=1.0):
    labels = torch.arange(len(query))
    logits = query @ item.T / temperature
    uniform = F.cross_entropy(logits - math.log(1.0 / len(query)), labels)
    assert torch.allclose(uniform, F.cross_entropy(logits, labels), atol=1e-5)  # uniform Q: no effect
    return F.cross_entropy(logits - log_q[None, :], labels)


def mistakes(query, item, log_q, temperature=1.0):
    logits = query @ item.T / temperature
    labels = torch.arange(len(query))
    return {
        "the correction SUBTRACTS log Q_j (popular items are over-sampled as negatives)": F.cross_entropy(
            logits + log_q[None, :], labels),
        "that is the uncorrected in-batch softmax": F.cross_entropy(logits, labels),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
