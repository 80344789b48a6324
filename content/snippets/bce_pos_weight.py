"""BCE-with-logits with pos_weight, from scratch, against
F.binary_cross_entropy_with_logits(pos_weight=...).

l = -[pos_weight * y * log sigma(z) + (1 - y) * log(1 - sigma(z))]
  = pos_weight * y * softplus(-z) + (1 - y) * softplus(z),   mean over elements.
pos_weight multiplies only the POSITIVE term (per class in multi-label: a vector of length C);
pos_weight = n_neg / n_pos makes the positives weigh as much as the negatives in total.
`weight=` instead rescales the whole loss of each element (both terms), and 'mean' still
divides by the number of elements (unlike cross_entropy's class weights).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits(pos_weight=...)"


def example():
    return {"logits": torch.tensor([1.0, -2.0, 0.5, -1.0]), "y": torch.tensor([1.0, 1.0, 0.0, 0.0]), "pos_weight": 3.0}


def problem(rng: random.Random):
    n = 3
    y = [float(rng.randint(0, 1)) for _ in range(n)]
    y[rng.randrange(n)] = 1.0
    return {
        "logits": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(n)]),
        "y": torch.tensor(y),
        "pos_weight": float(rng.choice([2, 3, 5, 10])),
    }


def _softplus(x):
    return torch.logaddexp(x, torch.zeros_like(x))  # = max(x, 0) + log1p(e^-|x|), with the right gradient at 0


def loss(logits, y, pos_weight=1.0):
    pos_term = pos_weight * y * _softplus(-logits)  # -pw * y * log sigma(z)
    neg_term = (1 - y) * _softplus(logits)  # -(1 - y) * log(1 - sigma(z))
    per_element = pos_term + neg_term
    return {
        "p": torch.sigmoid(logits),
        "positive_term": pos_term,
        "negative_term": neg_term,
        "per_element": per_element,
        "value": per_element.mean(),
    }


def reference(logits, y, pos_weight=1.0):
    return F.binary_cross_entropy_with_logits(logits, y, pos_weight=torch.tensor(pos_weight))


def mistakes(logits, y, pos_weight=1.0):
    sp_neg, sp_pos = _softplus(-logits), _softplus(logits)
    return {
        "pos_weight applied to the negatives": (y * sp_neg + pos_weight * (1 - y) * sp_pos).mean(),
        "pos_weight applied to both terms (that is weight=, not pos_weight=)": (pos_weight * (y * sp_neg + (1 - y) * sp_pos)).mean(),
        "pos_weight ignored": (y * sp_neg + (1 - y) * sp_pos).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
