"""Practice task for card 'wgan-gp': the WGAN-GP critic loss with a real gradient penalty."""

import torch
from torch import Tensor, nn

FUNCTION = "wgan_gp_critic_loss"
DOCSTRING = """WGAN-GP critic loss (Gulrajani et al. 2017, Algorithm 1), to MINIMISE over the critic.

Args:
    critic: a torch.nn.Module mapping (N, D) -> (N,) real-valued scores (no sigmoid).
    x_real: (N, D) real samples.  x_fake: (N, D) generated samples (same dtype).
    eps: (N,) interpolation weights in [0, 1], one per sample (given, not drawn).
    lambda_gp: penalty weight. Default 10.0 (the paper).

Returns:
    A 0-dim tensor:
        mean critic(x_fake) - mean critic(x_real) + lambda_gp * mean_i (||grad_x critic(x_hat_i)||_2 - 1)**2
    with x_hat_i = eps_i x_real_i + (1 - eps_i) x_fake_i. The penalty is two-sided (it pulls the
    norm towards 1) and the gradient norm is taken per sample over D.

The penalty must itself be differentiable w.r.t. the critic's parameters: take the gradient
with torch.autograd.grad(..., create_graph=True). (x_hat may be detached and set to require
grad, as a training loop does.)

Checked: values and the gradient w.r.t. the critic's parameters.
"""
REFERENCE = "torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True) at the interpolates"
CASES = [
    "2 samples, 2-D, tanh critic",
    "batch of 16, 8-D",
    "endpoints (eps 0 and 1)",
    "lambda 1",
    "unit-norm linear critic (zero penalty)",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("critic",)


def wgan_gp_critic_loss(
    critic: nn.Module, x_real: Tensor, x_fake: Tensor, eps: Tensor, lambda_gp: float = 10.0
) -> Tensor:
    w = eps[:, None]
    x_hat = (w * x_real + (1 - w) * x_fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    penalty = ((grad.norm(dim=1) - 1) ** 2).mean()
    return critic(x_fake).mean() - critic(x_real).mean() + lambda_gp * penalty


def reference(critic, x_real, x_fake, eps, lambda_gp=10.0):
    x_hat = (eps[:, None] * x_real + (1 - eps[:, None]) * x_fake).detach().requires_grad_(True)
    scores = critic(x_hat)
    (grad,) = torch.autograd.grad(scores, x_hat, grad_outputs=torch.ones_like(scores), create_graph=True)
    gp = lambda_gp * ((torch.linalg.vector_norm(grad, dim=1) - 1) ** 2).mean()
    return critic(x_fake).mean() - critic(x_real).mean() + gp


class Critic(nn.Module):
    """A small critic with fixed random weights: D -> hidden (tanh) -> 1, scores of shape (N,)."""

    def __init__(self, gen, d, hidden, dtype, *, linear_unit=False):
        super().__init__()
        self.linear_unit = linear_unit
        if linear_unit:
            w = torch.randn(d, generator=gen, dtype=dtype)
            self.w = nn.Parameter(w / w.norm())
        else:
            self.w1 = nn.Parameter(torch.randn(d, hidden, generator=gen, dtype=dtype) / d**0.5)
            self.b1 = nn.Parameter(torch.randn(hidden, generator=gen, dtype=dtype) * 0.1)
            self.w2 = nn.Parameter(torch.randn(hidden, generator=gen, dtype=dtype) / hidden**0.5 * 2)
        self.shape = (d, hidden)

    def forward(self, x):
        if self.linear_unit:
            return x @ self.w
        return torch.tanh(x @ self.w1 + self.b1) @ self.w2

    def __repr__(self):
        if self.linear_unit:
            return f"Critic(linear, {self.shape[0]} -> 1, ||w|| = 1)"
        return f"Critic({self.shape[0]} -> {self.shape[1]} tanh -> 1, fixed random weights)"


def inputs(gen, case):
    def draw(n, d, hidden=8, dtype=torch.float32, linear_unit=False):
        return {
            "critic": Critic(gen, d, hidden, dtype, linear_unit=linear_unit),
            "x_real": torch.randn(n, d, generator=gen, dtype=dtype) + 1.0,
            "x_fake": torch.randn(n, d, generator=gen, dtype=dtype),
            "eps": torch.rand(n, generator=gen, dtype=dtype),
        }

    if case == "2 samples, 2-D, tanh critic":
        return draw(2, 2)
    if case == "batch of 16, 8-D":
        return draw(16, 8, hidden=16)
    if case == "endpoints (eps 0 and 1)":
        out = draw(4, 3)
        out["eps"] = torch.tensor([0.0, 1.0, 0.0, 1.0])
        return out
    if case == "lambda 1":
        return {**draw(6, 4), "lambda_gp": 1.0}
    if case == "unit-norm linear critic (zero penalty)":
        return draw(5, 3, linear_unit=True)
    if case == "float64":
        return draw(8, 5, dtype=torch.float64)
    raise ValueError(case)


def _one_sided(critic, x_real, x_fake, eps, lambda_gp=10.0):
    x_hat = (eps[:, None] * x_real + (1 - eps[:, None]) * x_fake).detach().requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    gp = lambda_gp * (torch.relu(grad.norm(dim=1) - 1) ** 2).mean()
    return critic(x_fake).mean() - critic(x_real).mean() + gp


def _swapped(critic, x_real, x_fake, eps, lambda_gp=10.0):
    return reference(critic, x_fake, x_real, 1 - eps, lambda_gp) - 2 * (critic(x_fake).mean() - critic(x_real).mean())


MISTAKES = {
    "the penalty is two-sided, (||g|| - 1)**2, not max(0, ||g|| - 1)**2": _one_sided,
    "the critic MINIMISES mean f(fake) - mean f(real): real and fake are swapped": _swapped,
}


def from_snippet(example, snippet):
    w = example["w"]
    return {
        "critic": lambda x: x @ w,
        "x_real": example["x_real"],
        "x_fake": example["x_fake"],
        "eps": example["eps"],
        "lambda_gp": example["lambda_gp"],
    }


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value, snippet_value["total"]
