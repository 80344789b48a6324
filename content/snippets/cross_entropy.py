"""Cross-entropy from logits, from scratch, against torch.nn.functional.cross_entropy.

CE_i = -log softmax(z_i)[y_i] = logsumexp(z_i) - z_i[y_i]   (natural log), mean over the batch
(PyTorch default reduction='mean'). With one-hot labels H(y) = 0, so CE = KL(y || q) = the
NLL of the true class; with soft labels CE = H(y) + KL(y || q) >= H(y) > 0.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy"


def example():
    # Row 1: right and fairly confident. Row 2: confidently wrong (true class has the lowest logit).
    return {
        "logits": torch.tensor([[2.0, 1.0, 0.0], [0.5, 3.0, -1.0]]),
        "target": torch.tensor([0, 2]),
    }


def problem(rng: random.Random):
    return {
        "logits": torch.tensor([[float(rng.randint(-2, 3)) for _ in range(3)] for _ in range(2)]),
        "target": torch.tensor([rng.randrange(3) for _ in range(2)]),
    }


def loss(logits, target):
    row_max = logits.max(dim=1, keepdim=True).values
    log_sum_exp = row_max.squeeze(1) + (logits - row_max).exp().sum(dim=1).log()  # stable LSE
    true_logit = logits.gather(1, target[:, None]).squeeze(1)
    nll = log_sum_exp - true_logit
    return {
        "log_sum_exp": log_sum_exp,
        "true_class_logit": true_logit,
        "probs": (logits - log_sum_exp[:, None]).exp(),
        "p_true": (-nll).exp(),
        "nll_per_sample": nll,  # -log p_true: grows without bound as p_true -> 0
        "grad_logits": ((logits - log_sum_exp[:, None]).exp() - F.one_hot(target, logits.shape[1])) / len(target),
        "value": nll.mean(),
    }


def reference(logits, target):
    return F.cross_entropy(logits, target)


def given(logits, target):
    """Per row: e^(z_j - max) for the non-max logits and ln of their sum (the row's LSE - max)."""
    out = {}
    for row in logits.double():
        shifted = row - row.max()
        for v in sorted(set(shifted.tolist())):
            if v != 0:
                out[f"e^{v:g}"] = round(math.exp(v), 5)
        s = shifted.exp().sum().item()
        out[f"ln {s:.5g}"] = round(math.log(s), 5)
    return out


def mistakes(logits, target):
    log_q = torch.log_softmax(logits, dim=1)
    nll = -log_q.gather(1, target[:, None]).squeeze(1)
    probs = torch.softmax(logits, dim=1)
    return {
        "probabilities passed where logits are expected (softmax applied twice)": F.cross_entropy(probs, target),
        "log base 2 instead of ln": nll.mean() / math.log(2),
        "that is the sum over the batch; the card asks for the mean": nll.sum(),
        "wrong sign: CE is −log q_true, a positive number": -nll.mean(),
    }

def plot():
    """CE = -log p of the true class vs the squared error on probabilities, over p."""
    p = torch.linspace(0.02, 1.0, 197)
    return {
        "title": "Cross-entropy over the probability of the true class",
        "x_label": "p, softmax probability of the true class",
        "y_label": "loss",
        "series": [
            {"name": "CE -log p", "x": p.tolist(), "y": (-torch.log(p)).tolist()},
            {"name": "squared error (1 - p)^2", "x": p.tolist(), "y": ((1 - p) ** 2).tolist()},
        ],
        "note": "CE is unbounded as p -> 0: a confidently wrong prediction is punished hard, "
        "where the squared error on probabilities stays at most 1.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
