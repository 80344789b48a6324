"""Gradient clipping by global norm vs by value, from scratch, against
torch.nn.utils.clip_grad_norm_ and clip_grad_value_ on real parameters.

By norm (clip_grad_norm_): total = ||concat of ALL gradients||_2 (one global norm over every
parameter, not per tensor); if total > max_norm, every gradient is scaled by
max_norm / (total + 1e-6): the DIRECTION is kept, only the step length shrinks.
By value (clip_grad_value_): each component is clamped to [-clip_value, clip_value]
independently: the direction changes. Clipping by norm is the default for RNNs/transformers
(Pascanu et al. 2013; max_norm = 1.0 is common in LLM training).
Two parameter tensors: a weight gradient `grad_w` (2 components) and a bias gradient `grad_b` (1).
"""

import random

import torch

REFERENCE = "torch.nn.utils.clip_grad_norm_ / clip_grad_value_ on nn.Parameters"

TRIPLES = [(3, 4, 12), (2, 3, 6), (1, 4, 8), (2, 6, 9), (4, 4, 7), (1, 2, 2), (2, 10, 11), (6, 6, 7)]
NORMS = {(3, 4, 12): 13, (2, 3, 6): 7, (1, 4, 8): 9, (2, 6, 9): 11, (4, 4, 7): 9, (1, 2, 2): 3, (2, 10, 11): 15, (6, 6, 7): 11}


def example():
    return {"grad_w": torch.tensor([3.0, 4.0]), "grad_b": torch.tensor([12.0]), "max_norm": 1.0, "clip_value": 1.0}


def problem(rng: random.Random):
    t = list(rng.choice(TRIPLES))
    rng.shuffle(t)
    t = [float(v * rng.choice([-1, 1])) for v in t]
    return {
        "grad_w": torch.tensor(t[:2]),
        "grad_b": torch.tensor(t[2:]),
        "max_norm": float(rng.choice([1, 2, 5])),
        "clip_value": float(rng.choice([1, 2, 5])),
    }


def loss(grad_w, grad_b, max_norm=1.0, clip_value=1.0):
    total = torch.cat([grad_w, grad_b]).pow(2).sum().sqrt()
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    w_norm, b_norm = grad_w * coef, grad_b * coef
    w_val, b_val = grad_w.clamp(-clip_value, clip_value), grad_b.clamp(-clip_value, clip_value)
    return {
        "total_norm": total,
        "scale": coef,
        "by_norm": torch.cat([w_norm, b_norm]),
        "by_value": torch.cat([w_val, b_val]),
        "norm_after_by_value": torch.cat([w_val, b_val]).norm(),
        "value": {"total_norm": total, "first_by_norm": w_norm[0], "first_by_value": w_val[0]},
    }


def reference(grad_w, grad_b, max_norm=1.0, clip_value=1.0):
    w, b = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(1))
    w.grad, b.grad = grad_w.clone(), grad_b.clone()
    total = torch.nn.utils.clip_grad_norm_([w, b], max_norm)
    first_norm = w.grad[0].clone()
    w.grad, b.grad = grad_w.clone(), grad_b.clone()
    torch.nn.utils.clip_grad_value_([w, b], clip_value)
    return {"total_norm": total, "first_by_norm": first_norm, "first_by_value": w.grad[0].clone()}


def mistakes(grad_w, grad_b, max_norm=1.0, clip_value=1.0):
    right = loss(grad_w, grad_b, max_norm, clip_value)["value"]
    per_tensor = grad_w[0] * (max_norm / grad_w.norm()).clamp(max=1.0)
    return {
        "clipped with the norm of that tensor alone; clip_grad_norm_ uses ONE global norm over all parameters": {
            **right, "first_by_norm": per_tensor, "total_norm": grad_w.norm()},
        "that is clipping by value; the card asks for clipping by norm": {
            **right, "first_by_norm": grad_w[0].clamp(-clip_value, clip_value)},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
