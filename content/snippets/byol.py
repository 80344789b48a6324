"""BYOL's loss, from scratch, against 2 - 2 * torch.nn.functional.cosine_similarity.

Online branch: projection -> PREDICTOR q -> pred; target branch: EMA copy, projection z, with a
STOP-GRADIENT. Per pair:  ||pred/||pred|| - z/||z|| ||^2 = 2 - 2 cos(pred, z)
Symmetrised (Grill et al., 2020): L = mean_i [ l(pred1_i, z2_i) + l(pred2_i, z1_i) ], i.e. the
prediction from view 1 must match the target projection of view 2 and vice versa.
Target update (not by gradient): xi <- tau xi + (1 - tau) theta, tau_base = 0.996 -> 1 (cosine).
SimSiam (Chen & He, 2021): predictor + stop-gradient suffice (EMA optional); drop either and the
representation collapses.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "2 - 2 * torch.nn.functional.cosine_similarity, symmetrised"


def example():
    return {
        "pred1": torch.tensor([[1.0, 0.0], [0.0, 2.0]]),
        "pred2": torch.tensor([[0.6, 0.8], [1.0, 1.0]]),
        "z1": torch.tensor([[0.8, 0.6], [0.0, 1.0]]),
        "z2": torch.tensor([[3.0, 4.0], [-1.0, 1.0]]),
        "online_params": torch.tensor([1.0, -2.0]),
        "target_params": torch.tensor([0.0, 0.0]),
        "tau": 0.996,
    }


def problem(rng: random.Random):
    def vec():
        while True:
            v = [rng.randint(-10, 10) / 10 for _ in range(2)]
            if v != [0.0, 0.0]:
                return v

    return {
        "pred1": torch.tensor([vec(), vec()]), "pred2": torch.tensor([vec(), vec()]),
        "z1": torch.tensor([vec(), vec()]), "z2": torch.tensor([vec(), vec()]),
        "online_params": torch.tensor(vec()), "target_params": torch.tensor(vec()),
        "tau": rng.choice([0.9, 0.99, 0.996]),
    }


def loss(pred1, pred2, z1, z2, online_params, target_params, tau=0.996):
    z1, z2 = z1.detach(), z2.detach()  # stop-gradient: the target branch gets no gradient
    p1n = pred1 / pred1.norm(dim=1, keepdim=True)
    p2n = pred2 / pred2.norm(dim=1, keepdim=True)
    z1n = z1 / z1.norm(dim=1, keepdim=True)
    z2n = z2 / z2.norm(dim=1, keepdim=True)
    l12 = ((p1n - z2n) ** 2).sum(dim=1)  # view-1 prediction vs view-2 target
    l21 = ((p2n - z1n) ** 2).sum(dim=1)
    cos12 = (p1n * z2n).sum(dim=1)
    return {
        "cos_pred1_z2": cos12,
        "sq_dist_pred1_z2": l12,
        "two_minus_two_cos": 2 - 2 * cos12,  # equals sq_dist_pred1_z2
        "sq_dist_pred2_z1": l21,
        "ema_target_params": tau * target_params + (1 - tau) * online_params,
        "value": (l12 + l21).mean(),
    }


def reference(pred1, pred2, z1, z2, online_params, target_params, tau=0.996):
    l12 = 2 - 2 * F.cosine_similarity(pred1, z2, dim=1)
    l21 = 2 - 2 * F.cosine_similarity(pred2, z1, dim=1)
    return (l12 + l21).mean()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
