"""Binary (sigmoid) focal loss, alpha-balanced, from scratch, against
BCE-with-logits (reduction='none') reweighted by alpha_t (1 - p_t)^gamma.

FL = -alpha_t (1 - p_t)^gamma log(p_t)   (Lin et al. 2017, RetinaNet; alpha = 0.25, gamma = 2)
p_t = p if y = 1 else 1 - p;  alpha_t = alpha if y = 1 else 1 - alpha.
gamma = 0 gives alpha-weighted BCE. Mean over elements here (torchvision's
sigmoid_focal_loss(reduction='mean')); RetinaNet sums over anchors and divides by the number
of foreground anchors. The reference recovers p_t = exp(-BCE) from the built-in, so it never
calls sigmoid.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits(reduction='none') * alpha_t * (1 - exp(-bce))**gamma"


def example():
    # easy positive, easy negative, hard positive, hard negative
    return {
        "logits": torch.tensor([3.0, -3.0, -1.0, 1.0]),
        "y": torch.tensor([1.0, 0.0, 1.0, 0.0]),
        "alpha": 0.25,
        "gamma_focal": 2.0,
    }


def problem(rng: random.Random):
    n = 2
    return {
        "logits": torch.tensor([rng.randint(-30, 30) / 10 for _ in range(n)]),
        "y": torch.tensor([float(rng.randint(0, 1)) for _ in range(n)]),
        "alpha": 0.25,
        "gamma_focal": 2.0,
    }


def loss(logits, y, alpha=0.25, gamma_focal=2.0):
    p = torch.sigmoid(logits)
    p_t = torch.where(y == 1, p, 1 - p)
    alpha_t = torch.where(y == 1, torch.full_like(p, alpha), torch.full_like(p, 1 - alpha))
    ce = -torch.log(p_t)
    modulating = (1 - p_t) ** gamma_focal  # ~0 for easy examples (p_t -> 1), ~1 for hard ones
    per_element = alpha_t * modulating * ce
    return {
        "p": p,
        "p_t": p_t,
        "alpha_t": alpha_t,
        "ce_per_element": ce,
        "modulating_(1-p_t)^gamma": modulating,
        "per_element": per_element,
        "weight_vs_plain_ce": alpha_t * modulating,
        "plain_bce_mean": ce.mean(),
        "value": per_element.mean(),
    }


def reference(logits, y, alpha=0.25, gamma_focal=2.0):
    bce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = torch.exp(-bce)
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return (alpha_t * (1 - p_t) ** gamma_focal * bce).mean()


def plot():
    """Focal loss -(1 - p_t)^gamma log p_t over p_t for several gamma (gamma = 0 is CE)."""
    p_t = torch.linspace(0.02, 1.0, 197)
    ce = -torch.log(p_t)
    series = [{"name": "CE (gamma=0)", "x": p_t.tolist(), "y": ce.tolist()}]
    for gamma in (0.5, 1.0, 2.0, 5.0):
        series.append({"name": f"focal gamma={gamma:g}", "x": p_t.tolist(), "y": ((1 - p_t) ** gamma * ce).tolist()})
    return {
        "title": "Cross-entropy vs focal loss over p_t (alpha = 1)",
        "x_label": "p_t, probability of the true class",
        "y_label": "loss",
        "series": series,
        "note": "Well-classified examples (p_t > 0.6) are down-weighted more and more as gamma grows; "
        "hard ones (p_t near 0) keep almost all of their CE loss.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
