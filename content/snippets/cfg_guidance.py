"""Classifier-free guidance, paper convention, against the score of the tilted density.

Ho & Salimans (2021), Eq. 6:  eps~ = (1 + w) eps_theta(x_t, c) - w eps_theta(x_t),  w >= 0,
w = 0 is the plain conditional model. Same thing, s-form (diffusers' `guidance_scale`, Imagen):
eps~ = eps_u + s (eps_c - eps_u) with s = 1 + w; s = 1 is no guidance, SD's default s = 7.5.
Training drops the condition with probability p_uncond (0.1-0.2 in the paper), so ONE network
gives both eps_c and eps_u (null token).
What it is: since eps = -sigma_t grad log p_t, eps~ = -sigma_t grad log [p_t(x|c)^{1+w} p_t(x)^{-w}]
= -sigma_t grad log [p_t(x|c) p_t(c|x)^w] + const: the score of a tilted density AT EACH noise level.
That does not make the sampler draw from p(x|c) p(c|x)^w at t = 0 (the noised tilted densities
are not the tilt of the noised ones; Bradley & Nakkiran 2024).
Reference (a second route): toy Gaussians at one noise level with sigma_t = 1 whose eps at x = 0 are
the given eps_c, eps_u (p(x|c) = N(-eps_c, 1), p(x) = N(-eps_u, 1)); eps~ = -autograd of
(1 + w) log p(x|c) - w log p(x) at x = 0 (torch.distributions.Normal).
"""

import random

import torch
from torch.distributions import Normal

REFERENCE = "-grad_x [(1+w) log N(x; -eps_c, 1) - w log N(x; -eps_u, 1)] at x = 0 (autograd)"


def example():
    return {"eps_cond": torch.tensor(0.4), "eps_uncond": torch.tensor(0.1), "w": 2.0}


def problem(rng: random.Random):
    c = rng.randint(-10, 10) / 10
    u = rng.choice([v / 10 for v in range(-10, 11) if v / 10 != c])
    return {"eps_cond": torch.tensor(c), "eps_uncond": torch.tensor(u), "w": rng.choice([0.5, 1.0, 2.0, 3.0, 6.5])}


def loss(eps_cond, eps_uncond, w):
    return {
        "guidance_direction": eps_cond - eps_uncond,
        "diffusers_guidance_scale_s": torch.tensor(1.0 + w),
        "value": (1 + w) * eps_cond - w * eps_uncond,
    }


def reference(eps_cond, eps_uncond, w):
    x = torch.zeros((), dtype=torch.float64, requires_grad=True)
    log_tilted = (1 + w) * Normal(-eps_cond.double(), 1.0).log_prob(x) - w * Normal(-eps_uncond.double(), 1.0).log_prob(x)
    (score,) = torch.autograd.grad(log_tilted, x)
    return (-score).float()  # sigma_t = 1


def mistakes(eps_cond, eps_uncond, w):
    return {
        "that is the s-form with s = w (diffusers' guidance_scale is 1 + w in the paper's convention)":
            eps_uncond + w * (eps_cond - eps_uncond),
        "guided away from the condition: the roles of eps_c and eps_u are swapped":
            (1 + w) * eps_uncond - w * eps_cond,
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
