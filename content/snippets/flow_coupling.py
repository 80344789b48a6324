"""Change of variables through one affine coupling layer (RealNVP, Dinh, Sohl-Dickstein & Bengio,
2017), from scratch, against autograd's Jacobian + torch.linalg.slogdet + Normal.log_prob.

A flow is an invertible f mapping data x to latent z = f(x) with a simple base density p_z:
    log p_x(x) = log p_z(f(x)) + log |det df/dx|
Affine coupling on x = (x1, x2): z1 = x1,  z2 = x2 * exp(s(x1)) + t(x1), here s(x1) = a x1 and
t(x1) = b x1. The Jacobian is triangular ([[1, 0], [dz2/dx1, exp(s)]]), so log|det| = s(x1): cheap,
and the inverse x2 = (z2 - t) exp(-s) needs no inversion of s or t (they can be any network).
Base density N(0, I) in 2-D: log p_z(z) = -(z1^2 + z2^2)/2 - log(2 pi).
"""

import math
import random

import torch
from torch.distributions import Normal

REFERENCE = "autograd Jacobian of f, torch.linalg.slogdet, Normal(0, 1).log_prob(f(x)).sum()"


def example():
    return {"x": torch.tensor([1.0, 0.5]), "a": 0.5, "b": -1.0}


def problem(rng: random.Random):
    return {"x": torch.tensor([rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]), rng.randint(-4, 4) / 2]),
            "a": rng.choice([-1.0, -0.5, 0.5, 1.0]), "b": rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0])}


def _f(x, a, b):
    s, t = a * x[0], b * x[0]
    return torch.stack([x[0], x[1] * torch.exp(s) + t])


def loss(x, a, b):
    s = a * x[0]
    z = _f(x, a, b)
    log_base = -0.5 * (z**2).sum() - math.log(2 * math.pi)
    return {
        "s_x1": s,
        "t_x1": b * x[0],
        "z": z,
        "log_base_density": log_base,
        "log_abs_det_jacobian": s,
        "inverse_check_x2": (z[1] - b * x[0]) * torch.exp(-s),
        "value": log_base + s,
    }


def reference(x, a, b):
    jac = torch.autograd.functional.jacobian(lambda v: _f(v, a, b), x)
    _, logabsdet = torch.linalg.slogdet(jac)
    return Normal(0.0, 1.0).log_prob(_f(x, a, b)).sum() + logabsdet


def given(x, a, b):
    s = float(a * x[0])
    return {f"e^{s:g}": round(math.exp(s), 4), "ln 2π": round(math.log(2 * math.pi), 4)}


def mistakes(x, a, b):
    s = a * x[0]
    z = _f(x, a, b)
    base = -0.5 * (z**2).sum() - math.log(2 * math.pi)
    return {
        "the log-determinant is ADDED for the data→latent map: log p(x) = log p_z(f(x)) + log|det ∂f/∂x|": base - s,
        "the log-determinant term is missing": base,
        "the base density's constant is −log 2π in 2-D (½ log 2π per dimension)": -0.5 * (z**2).sum() + s,
        "that used |det| = e^s itself instead of its log": base + torch.exp(s),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
