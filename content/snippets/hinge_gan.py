"""Hinge GAN losses (Lim & Ye 2017, Geometric GAN; Miyato et al. 2018 SN-GAN; SAGAN; BigGAN).

D outputs a raw score (no sigmoid). Means over the batch:
    L_D = mean relu(1 - D(x_real)) + mean relu(1 + D(x_fake))
    L_G = -mean D(x_fake)
D stops being pushed once real scores exceed +1 and fake scores fall below -1 (a margin);
G's loss is the WGAN-style linear one, not a hinge.
Reference (a second route): torch.nn.functional.hinge_embedding_loss, which with label -1 is
max(0, margin - x) and with label +1 is x: relu(1 - D_real) = HEL(D_real, -1),
relu(1 + D_fake) = HEL(-D_fake, -1), and -mean D_fake = HEL(-D_fake, +1).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.hinge_embedding_loss(D_real, -1) + F.hinge_embedding_loss(-D_fake, -1); G: F.hinge_embedding_loss(-D_fake, +1)"


def example():
    return {"d_real": torch.tensor([1.5, 0.2, -0.4]), "d_fake": torch.tensor([-2.0, 0.5, -0.6])}


def problem(rng: random.Random):
    def scores():
        return [rng.randint(-25, 25) / 10 for _ in range(3)]

    return {"d_real": torch.tensor(scores()), "d_fake": torch.tensor(scores())}


def loss(d_real, d_fake):
    real_hinge = torch.clamp(1 - d_real, min=0)
    fake_hinge = torch.clamp(1 + d_fake, min=0)
    return {
        "relu_1_minus_D_real": real_hinge,
        "relu_1_plus_D_fake": fake_hinge,
        "value": {"d_loss": real_hinge.mean() + fake_hinge.mean(), "g_loss": -d_fake.mean()},
    }


def reference(d_real, d_fake):
    hel = F.hinge_embedding_loss
    neg = -torch.ones_like(d_real)
    return {
        "d_loss": hel(d_real, neg, margin=1.0) + hel(-d_fake, -torch.ones_like(d_fake), margin=1.0),
        "g_loss": hel(-d_fake, torch.ones_like(d_fake), margin=1.0),
    }


def mistakes(d_real, d_fake):
    right = loss(d_real, d_fake)["value"]
    return {
        "no relu: that is the WGAN critic loss mean D(fake) - mean D(real) (+2)": {
            "d_loss": (1 - d_real).mean() + (1 + d_fake).mean(), "g_loss": right["g_loss"]},
        "signs swapped: relu(1 + D(real)) + relu(1 - D(fake))": {
            "d_loss": torch.clamp(1 + d_real, min=0).mean() + torch.clamp(1 - d_fake, min=0).mean(),
            "g_loss": d_fake.mean()},
        "hinge on the generator too: mean relu(1 - D(fake))": {
            "d_loss": right["d_loss"], "g_loss": torch.clamp(1 - d_fake, min=0).mean()},
        "that is the sum over the batch; the card asks for the mean": {
            "d_loss": right["d_loss"] * d_real.numel(), "g_loss": right["g_loss"] * d_fake.numel()},
    }


def plot():
    """Per-sample D losses over the score: hinge vs BCE vs the linear WGAN critic."""
    s = torch.linspace(-3.0, 3.0, 121)
    return {
        "title": "Discriminator loss per sample over its score D(x)",
        "x_label": "score D(x) (a logit for BCE)",
        "y_label": "loss",
        "series": [
            {"name": "hinge, real: relu(1 - s)", "x": s.tolist(), "y": torch.relu(1 - s).tolist()},
            {"name": "hinge, fake: relu(1 + s)", "x": s.tolist(), "y": torch.relu(1 + s).tolist()},
            {"name": "BCE, real: softplus(-s)", "x": s.tolist(), "y": F.softplus(-s).tolist()},
            {"name": "WGAN, real: -s", "x": s.tolist(), "y": (-s).tolist()},
        ],
        "y_lim": [-1.0, 4.0],
        "note": "The hinge stops pushing a real sample once s > 1 (a fake once s < -1); "
        "BCE never quite stops, the WGAN critic loss never stops.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
