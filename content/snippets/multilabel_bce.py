"""Multi-label classification: per-class sigmoid + BCE, from scratch, against
torch.nn.functional.binary_cross_entropy_with_logits.

Each of the C labels is an independent Bernoulli: p_c = sigma(z_c), and
L = mean over all N*C elements of -[y_c log p_c + (1 - y_c) log(1 - p_c)]  (PyTorch 'mean'
averages over every element, not per sample). Softmax CE instead makes the classes compete
(probabilities sum to 1), so it cannot say "cat AND dog" with both near 1.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits"


def example():
    # an image with a cat and a dog, no car
    return {"logits": torch.tensor([[2.0, 1.5, -2.0]]), "y": torch.tensor([[1.0, 1.0, 0.0]])}


def problem(rng: random.Random):
    return {
        "logits": torch.tensor([[rng.randint(-20, 20) / 10 for _ in range(3)]]),
        "y": torch.tensor([[float(rng.randint(0, 1)) for _ in range(3)]]),
    }


def loss(logits, y):
    p = torch.sigmoid(logits)
    # stable: -log sigma(z) = softplus(-z), -log(1 - sigma(z)) = softplus(z)
    softplus = lambda x: x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))  # noqa: E731
    per_element = y * softplus(-logits) + (1 - y) * softplus(logits)
    softmax = torch.softmax(logits, dim=1)
    return {
        "sigmoid_probs": p,  # independent: can all be near 1 (or all near 0)
        "per_element": per_element,
        "per_sample_sum": per_element.sum(dim=1),
        "softmax_probs": softmax,  # compete: sum to 1, two labels get at most ~0.5 each
        "softmax_sum": softmax.sum(dim=1),
        "value": per_element.mean(),
    }


def reference(logits, y):
    return F.binary_cross_entropy_with_logits(logits, y)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
