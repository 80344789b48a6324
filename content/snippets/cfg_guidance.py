"""Classifier-free guidance, paper convention, against the diffusers (s-form) convention.

Ho & Salimans (2021), Eq. 6:  eps~ = (1 + w) eps_theta(x_t, c) - w eps_theta(x_t),  w >= 0,
w = 0 is the plain conditional model. Same thing, s-form (diffusers' `guidance_scale`, Imagen):
eps~ = eps_u + s (eps_c - eps_u) with s = 1 + w; s = 1 is no guidance, SD's default s = 7.5.
Training drops the condition with probability p_uncond (0.1-0.2 in the paper), so ONE network
gives both eps_c and eps_u (null token). eps_c - eps_u ~ -sigma_t grad log p(c | x_t): guidance
extrapolates along an implicit classifier's gradient, trading diversity for fidelity.
"""

import random

import torch

REFERENCE = "s-form eps_u + s (eps_c - eps_u), s = 1 + w"


def example():
    return {"eps_cond": torch.tensor(0.4), "eps_uncond": torch.tensor(0.1), "w": 2.0}


def problem(rng: random.Random):
    return {
        "eps_cond": torch.tensor(rng.randint(-10, 10) / 10),
        "eps_uncond": torch.tensor(rng.randint(-10, 10) / 10),
        "w": rng.choice([0.5, 1.0, 2.0, 3.0, 6.5]),
    }


def loss(eps_cond, eps_uncond, w):
    return {
        "guidance_direction": eps_cond - eps_uncond,
        "diffusers_guidance_scale_s": torch.tensor(1.0 + w),
        "value": (1 + w) * eps_cond - w * eps_uncond,
    }


def reference(eps_cond, eps_uncond, w):
    s = 1.0 + w
    return eps_uncond + s * (eps_cond - eps_uncond)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
