"""R1 gradient penalty, from scratch, against torch.autograd.grad.

R1 = gamma/2 * E_{x ~ p_data} ||grad_x D(x)||^2   (Mescheder, Geiger & Nowozin 2018), where D is
the discriminator's logit (before any sigmoid), evaluated on REAL samples only; it is added to
D's loss. It penalises the gradient towards 0 (not towards 1 as WGAN-GP does), which makes the
Dirac-GAN equilibrium locally convergent. gamma = 10 in Mescheder et al.'s and StyleGAN's main
settings; it is tuned per dataset. R2 is the same penalty on fake samples.
Toy discriminator: D(x) = w . x + c/2 ||x||^2, so grad_x D(x) = w + c x in closed form.
"""

import random

import torch

REFERENCE = "torch.autograd.grad of D at the real samples"


def example():
    return {
        "x_real": torch.tensor([[1.0, 0.0], [0.5, -1.0]]),
        "w": torch.tensor([0.5, -0.5]),
        "c": 1.0,
        "gamma_r1": 10.0,
    }


def problem(rng: random.Random):
    def vec():
        return [rng.randint(-4, 4) / 2 for _ in range(2)]

    return {
        "x_real": torch.tensor([vec(), vec()]),
        "w": torch.tensor([rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0]) for _ in range(2)]),
        "c": rng.choice([-1.0, 0.5, 1.0]),
        "gamma_r1": rng.choice([1.0, 10.0]),
    }


def loss(x_real, w, c, gamma_r1=10.0):
    grad = w + c * x_real                  # one gradient row per real sample
    sq_norm = (grad**2).sum(dim=1)
    return {
        "grad_D_at_real": grad,
        "squared_norm": sq_norm,
        "mean_squared_norm": sq_norm.mean(),
        "value": gamma_r1 / 2 * sq_norm.mean(),
    }


def reference(x_real, w, c, gamma_r1=10.0):
    x = x_real.clone().requires_grad_(True)
    d_logit = x @ w + c / 2 * (x**2).sum(dim=1)
    (grad,) = torch.autograd.grad(d_logit.sum(), x, create_graph=True)
    return gamma_r1 / 2 * grad.pow(2).sum(dim=1).mean()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
