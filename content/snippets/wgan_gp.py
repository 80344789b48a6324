"""WGAN-GP critic loss with a linear critic, from scratch, against torch.autograd.grad.

Critic f(x) = w . x (a real-valued score: no sigmoid, no log). Gulrajani et al. (2017), Alg. 1:
    x_hat = eps * x_real + (1 - eps) * x_fake,   eps ~ U[0, 1] per sample
    L_critic = mean f(x_fake) - mean f(x_real) + lambda * mean (||grad_x f(x_hat)||_2 - 1)^2
with lambda = 10 (the paper's default). The penalty is two-sided and soft: it pulls the gradient
norm towards 1 on the interpolates only; it does not enforce 1-Lipschitz anywhere.
From scratch the gradient is closed form: grad_x (w . x) = w at every point (a bias would cancel
in the difference, so none is used). The reference differentiates the critic at x_hat with
torch.autograd.grad(create_graph=True), as a training loop does for a nonlinear critic.
"""

import random

import torch

REFERENCE = "torch.autograd.grad of the critic at the interpolates"
W_CHOICES = [(0.6, 0.8), (0.8, 0.6), (1.2, 0.5), (0.5, 1.2), (0.3, 0.4), (1.2, 1.6), (0.0, 1.5)]  # ||w|| 1, 1.3, 0.5, 2, 1.5


def example():
    return {
        "x_real": torch.tensor([[1.0, 2.0], [0.0, 1.0]]),
        "x_fake": torch.tensor([[0.5, 0.0], [-1.0, 0.5]]),
        "w": torch.tensor([1.2, 0.5]),
        "eps": torch.tensor([0.3, 0.8]),
        "lambda_gp": 10.0,
    }


def problem(rng: random.Random):
    def vec():
        return [rng.randint(-4, 4) / 2 for _ in range(2)]

    signs = [rng.choice([-1.0, 1.0]) for _ in range(2)]
    return {
        "x_real": torch.tensor([vec(), vec()]),
        "x_fake": torch.tensor([vec(), vec()]),
        "w": torch.tensor([s * v for s, v in zip(signs, rng.choice(W_CHOICES))]),
        "eps": torch.tensor([rng.choice([0.2, 0.5, 0.7]) for _ in range(2)]),
        "lambda_gp": 10.0,
    }


def loss(x_real, x_fake, w, eps, lambda_gp=10.0):
    score_real, score_fake = x_real @ w, x_fake @ w
    x_hat = eps[:, None] * x_real + (1 - eps[:, None]) * x_fake
    grad = w.expand_as(x_hat)  # linear critic: the gradient is w wherever x_hat lies
    grad_norm = grad.norm(dim=1)
    critic = score_fake.mean() - score_real.mean()  # minus the W1 estimate
    gp = lambda_gp * ((grad_norm - 1) ** 2).mean()
    return {
        "score_real": score_real,
        "score_fake": score_fake,
        "x_hat": x_hat,
        "grad_norm_at_x_hat": grad_norm,
        "value": {"critic": critic, "gp": gp, "total": critic + gp},
    }


def reference(x_real, x_fake, w, eps, lambda_gp=10.0):
    def critic_fn(x):
        return x @ w

    x_hat = (eps[:, None] * x_real + (1 - eps[:, None]) * x_fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic_fn(x_hat).sum(), x_hat, create_graph=True)
    gp = lambda_gp * ((grad.norm(dim=1) - 1) ** 2).mean()
    critic = critic_fn(x_fake).mean() - critic_fn(x_real).mean()
    return {"critic": critic, "gp": gp, "total": critic + gp}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
