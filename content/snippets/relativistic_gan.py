"""Relativistic GAN losses (Jolicoeur-Martineau 2019): D judges whether real is MORE real than fake.

C = the critic's raw score (D = sigmoid(C) in the standard GAN). Pairs (x_real_i, x_fake_i) from the
minibatch; means over the batch.
RSGAN (relativistic standard):
    L_D = -mean log sigmoid(C(x_r) - C(x_f)),       L_G = -mean log sigmoid(C(x_f) - C(x_r))
RaGAN (relativistic average, used by ESRGAN):
    L_D = -mean_r log sigmoid(C(x_r) - mean C(x_f)) - mean_f log(1 - sigmoid(C(x_f) - mean C(x_r)))
    L_G = the same with real and fake swapped
Unlike the standard NS loss, G's loss also depends on the real scores: G gains by pulling
real scores down relative to fakes.
Reference: F.binary_cross_entropy_with_logits on the score differences (label 1 / 0).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits on C(x_r) - C(x_f) (RSGAN) and on the centred scores (RaGAN)"


def example():
    return {"d_real": torch.tensor([1.0, 0.0]), "d_fake": torch.tensor([-1.0, 1.0])}


def problem(rng: random.Random):
    def scores():
        return [rng.randint(-4, 4) / 2 for _ in range(2)]

    return {"d_real": torch.tensor(scores()), "d_fake": torch.tensor(scores())}


def _nls(x):  # -log sigmoid(x) = softplus(-x) = logaddexp(-x, 0), stable
    return torch.logaddexp(-x, torch.zeros_like(x))


def loss(d_real, d_fake):
    diff = d_real - d_fake
    real_c = d_real - d_fake.mean()
    fake_c = d_fake - d_real.mean()
    return {
        "pairwise_difference_real_minus_fake": diff,
        "real_minus_mean_fake": real_c,
        "fake_minus_mean_real": fake_c,
        "value": {
            "d_rsgan": _nls(diff).mean(),
            "g_rsgan": _nls(-diff).mean(),
            "d_ragan": _nls(real_c).mean() + _nls(-fake_c).mean(),
            "g_ragan": _nls(fake_c).mean() + _nls(-real_c).mean(),
        },
    }


def reference(d_real, d_fake):
    bce = F.binary_cross_entropy_with_logits
    one, zero = torch.ones_like(d_real), torch.zeros_like(d_real)
    real_c = d_real - d_fake.mean()
    fake_c = d_fake - d_real.mean()
    return {
        "d_rsgan": bce(d_real - d_fake, one),
        "g_rsgan": bce(d_fake - d_real, one),
        "d_ragan": bce(real_c, one) + bce(fake_c, zero),
        "g_ragan": bce(fake_c, one) + bce(real_c, zero),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
