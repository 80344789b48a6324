"""Minimax vs non-saturating generator loss: the gradient w.r.t. D's logit on a fake sample.

D(G(z)) = sigmoid(l), l = the discriminator's logit on the generated sample (Goodfellow et al. 2014).
Minimax generator loss (minimised by G):   L_mm = log(1 - D(G(z)))  ->  dL_mm/dl = -sigmoid(l)
Non-saturating generator loss:             L_ns = -log D(G(z))      ->  dL_ns/dl = sigmoid(l) - 1
When D confidently rejects the fake (l << 0, D(G(z)) ~ 0), the minimax gradient vanishes
(~ -e^l) while the non-saturating one stays near -1. Both point the same way (increase l).
Reference: autograd through F.binary_cross_entropy_with_logits, since log(1 - sigmoid(l)) =
-BCE(l, target 0) and -log sigmoid(l) = BCE(l, target 1).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.autograd.grad of -BCEWithLogits(l, 0) and BCEWithLogits(l, 1)"


def example():
    return {"logit": torch.tensor(-4.0)}


def problem(rng: random.Random):
    # 17 logits from -6 to 2: no single answer is right on more than ~6% of draws
    return {"logit": torch.tensor(rng.randint(-12, 4) / 2)}


def loss(logit):
    d_fake = torch.sigmoid(logit)
    return {
        "D_of_fake": d_fake,
        "loss_minimax": torch.log1p(-d_fake),
        "loss_non_saturating": -torch.log(d_fake),
        "value": {"minimax": -d_fake, "non_saturating": d_fake - 1},
    }


def reference(logit):
    l_mm = logit.clone().requires_grad_(True)
    (g_mm,) = torch.autograd.grad(-F.binary_cross_entropy_with_logits(l_mm, torch.tensor(0.0)), l_mm)
    l_ns = logit.clone().requires_grad_(True)
    (g_ns,) = torch.autograd.grad(F.binary_cross_entropy_with_logits(l_ns, torch.tensor(1.0)), l_ns)
    return {"minimax": g_mm, "non_saturating": g_ns}


def mistakes(logit):
    d = torch.sigmoid(logit)
    return {
        "that is the non-saturating gradient σ(l) − 1 (and vice versa)": {"minimax": d - 1, "non_saturating": -d},
        "sign flipped": {"minimax": d, "non_saturating": 1 - d},
        "that is the derivative w.r.t. D(G(z)), not w.r.t. the logit": {"minimax": -1 / (1 - d), "non_saturating": -1 / d},
    }


def plot():
    """Generator loss and its gradient w.r.t. D's logit over D(G(z)), minimax vs non-saturating."""
    d = torch.linspace(0.005, 0.995, 199)
    gradient = {
        "title": "Generator gradient over D(G(z))",
        "x_label": "D(G(z)), the discriminator's belief that the fake is real",
        "y_label": "dL_G / dlogit",
        "series": [
            {"name": "minimax log(1 - D): -D", "x": d.tolist(), "y": (-d).tolist()},
            {"name": "non-saturating -log D: D - 1", "x": d.tolist(), "y": (d - 1).tolist()},
        ],
        "note": "Early in training D rejects fakes (D(G(z)) near 0): the minimax gradient vanishes there, "
        "the non-saturating one is near -1 (both push the logit up).",
    }
    losses = {
        "title": "Generator loss over D(G(z))",
        "x_label": "D(G(z))",
        "y_label": "L_G (minimised)",
        "series": [
            {"name": "minimax log(1 - D)", "x": d.tolist(), "y": torch.log1p(-d).tolist()},
            {"name": "non-saturating -log D", "x": d.tolist(), "y": (-torch.log(d)).tolist()},
        ],
        "y_lim": [-5.0, 5.0],
        "note": "The minimax loss is flat near D = 0, exactly where the generator is worst.",
    }
    return [gradient, losses]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
