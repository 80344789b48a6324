"""Soft Dice loss, from scratch, against a second route (soft TP/FP/FN, element by element).

Dice = 2 sum(p y) / (sum p + sum y);  loss = 1 - Dice   (no smoothing constant, linear
denominator; V-Net (Milletari et al. 2016) squares p and y in the denominator, many
implementations add a smoothing term s to numerator and denominator).
With hard 0/1 predictions Dice = 2|A & B| / (|A| + |B|) = F1. The reference counts soft
TP = sum p y, FP = sum p (1 - y), FN = sum (1 - p) y in a loop and uses 1 - 2TP/(2TP + FP + FN).
"""

import random

import torch

REFERENCE = "loop: soft TP, FP, FN; 1 - 2TP / (2TP + FP + FN)"


def example():
    # a 2x2 mask, flattened: a small foreground object
    return {"p": torch.tensor([0.9, 0.6, 0.2, 0.1]), "y": torch.tensor([1.0, 1.0, 0.0, 0.0])}


def problem(rng: random.Random):
    y = [float(rng.randint(0, 1)) for _ in range(4)]
    y[rng.randrange(4)] = 1.0  # at least one foreground pixel: the denominator is never 0
    return {"p": torch.tensor([rng.randint(1, 9) / 10 for _ in range(4)]), "y": torch.tensor(y)}


def loss(p, y):
    intersection = (p * y).sum()
    sum_p, sum_y = p.sum(), y.sum()
    dice = 2 * intersection / (sum_p + sum_y)
    hard = (p > 0.5).float()
    return {
        "intersection": intersection,
        "sum_p": sum_p,
        "sum_y": sum_y,
        "soft_dice": dice,
        "hard_dice_at_0.5": 2 * (hard * y).sum() / (hard.sum() + sum_y),  # = F1 of the mask
        "value": 1 - dice,
    }


def reference(p, y):
    tp = fp = fn = 0.0
    for pi, yi in zip(p.tolist(), y.tolist(), strict=True):
        tp += pi * yi
        fp += pi * (1 - yi)
        fn += (1 - pi) * yi
    return torch.tensor(1 - 2 * tp / (2 * tp + fp + fn))


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
