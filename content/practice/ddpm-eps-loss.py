"""Practice task for card 'ddpm-eps-loss': DDPM's L_simple, epsilon-prediction MSE."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

FUNCTION = "ddpm_loss"
DOCSTRING = """DDPM's simplified loss L_simple (Ho et al. 2020): noise the data, predict the noise.

Args:
    eps_model: a torch.nn.Module; eps_model(x_t, t) -> a tensor shaped like x_t.
    x0: (N, ...) clean data (any trailing shape, e.g. (N, D) or (N, C, H, W)).
    t: (N,) int64 timesteps, indices into alpha_bar.
    noise: the Gaussian noise eps, shaped like x0 (given, not drawn).
    alpha_bar: (T,) the cumulative products alpha_bar_t = prod_{s <= t} (1 - beta_s).

Returns:
    A 0-dim tensor with the dtype of x0: the MEAN over all elements of
        (noise - eps_model(x_t, t))**2,   x_t = sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) noise
    with alpha_bar[t] broadcast over the trailing dimensions of each sample.

Checked: values and the gradient w.r.t. the model's parameters.
"""
REFERENCE = "F.mse_loss(eps_model(x_t, t), noise)"
CASES = [
    "one sample, 2-D, t = 0",
    "batch of 8, 4-D",
    "image-shaped data (N, 1, 4, 4)",
    "last timestep (alpha_bar near 0)",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("eps_model",)


def ddpm_loss(eps_model: nn.Module, x0: Tensor, t: Tensor, noise: Tensor, alpha_bar: Tensor) -> Tensor:
    shape = (-1,) + (1,) * (x0.dim() - 1)
    a = alpha_bar[t].reshape(shape)
    x_t = a.sqrt() * x0 + (1 - a).sqrt() * noise
    return ((noise - eps_model(x_t, t)) ** 2).mean()


def reference(eps_model, x0, t, noise, alpha_bar):
    ab = alpha_bar.index_select(0, t).view(-1, *([1] * (x0.dim() - 1)))
    x_t = torch.sqrt(ab) * x0 + torch.sqrt(1 - ab) * noise
    return F.mse_loss(eps_model(x_t, t), noise)


class EpsModel(nn.Module):
    """A tiny noise predictor with fixed random weights: works on any trailing shape."""

    def __init__(self, gen, steps, dtype):
        super().__init__()
        self.a = nn.Parameter(torch.randn(3, generator=gen, dtype=dtype))
        self.b = nn.Parameter(torch.randn(3, generator=gen, dtype=dtype))
        self.steps = steps

    def forward(self, x_t, t):
        time = (t.to(x_t.dtype) / self.steps).view(-1, *([1] * (x_t.dim() - 1)))
        return self.a[0] * x_t + torch.tanh(self.a[1] * x_t + self.a[2] * time) * self.b[0] + self.b[1] * time + self.b[2]

    def __repr__(self):
        return "EpsModel(x_t, t): a0 x_t + b0 tanh(a1 x_t + a2 t/T) + b1 t/T + b2, fixed random weights"


def _schedule(dtype, steps=1000):
    betas = torch.linspace(1e-4, 0.02, steps, dtype=torch.float64)
    return torch.cumprod(1 - betas, dim=0).to(dtype)


def inputs(gen, case):
    def draw(shape, dtype=torch.float32, t=None):
        n = shape[0]
        return {
            "eps_model": EpsModel(gen, 1000, dtype),
            "x0": torch.randn(*shape, generator=gen, dtype=dtype),
            "t": torch.randint(0, 1000, (n,), generator=gen) if t is None else t,
            "noise": torch.randn(*shape, generator=gen, dtype=dtype),
            "alpha_bar": _schedule(dtype),
        }

    if case == "one sample, 2-D, t = 0":
        return draw((1, 2), t=torch.tensor([0]))
    if case == "batch of 8, 4-D":
        return draw((8, 4))
    if case == "image-shaped data (N, 1, 4, 4)":
        return draw((3, 1, 4, 4))
    if case == "last timestep (alpha_bar near 0)":
        return draw((4, 3), t=torch.tensor([999, 999, 998, 500]))
    if case == "float64":
        return draw((6, 5), dtype=torch.float64)
    raise ValueError(case)


def _no_sqrt(eps_model, x0, t, noise, alpha_bar):
    ab = alpha_bar[t].view(-1, *([1] * (x0.dim() - 1)))
    return F.mse_loss(eps_model(ab * x0 + (1 - ab) * noise, t), noise)


def _predicts_x0(eps_model, x0, t, noise, alpha_bar):
    ab = alpha_bar[t].view(-1, *([1] * (x0.dim() - 1)))
    return F.mse_loss(eps_model(ab.sqrt() * x0 + (1 - ab).sqrt() * noise, t), x0)


MISTAKES = {
    "x_t = sqrt(alpha_bar) x0 + sqrt(1 - alpha_bar) noise: the square roots are missing": _no_sqrt,
    "L_simple regresses the NOISE, not x0": _predicts_x0,
}


def from_snippet(example, snippet):
    alpha_bar = example["alpha_bar"]
    return {
        "eps_model": lambda x_t, t: (1 - alpha_bar) ** 0.5 * x_t,
        "x0": example["x0"][None],
        "t": torch.tensor([0]),
        "noise": example["eps"][None],
        "alpha_bar": torch.tensor([alpha_bar]),
    }
