"""Practice task for card 'flow-matching': the conditional flow-matching loss (rectified-flow path)."""

import torch
import torch.nn.functional as F
from torch import Tensor, nn

FUNCTION = "flow_matching_loss"
DOCSTRING = """Conditional flow matching on the straight (rectified-flow / OT) path
(Lipman et al. 2023; Liu et al. 2022).

Args:
    v_model: a torch.nn.Module; v_model(x_t, t) -> a velocity shaped like x_t.
    x0: (N, ...) NOISE samples (the path starts here at t = 0).
    x1: (N, ...) DATA samples, same shape (the path ends here at t = 1).
    t: (N,) times in [0, 1], floating point, one per sample.

Returns:
    A 0-dim tensor with the dtype of x0: the MEAN over all elements of
        (v_model(x_t, t) - (x1 - x0))**2,      x_t = (1 - t) x0 + t x1
    with t broadcast over the trailing dimensions of each sample.

Checked: values and the gradient w.r.t. the model's parameters.
"""
REFERENCE = "F.mse_loss(v_model(x_t, t), x1 - x0)"
CASES = [
    "one sample, 1-D",
    "batch of 8, 4-D",
    "image-shaped data (N, 1, 4, 4)",
    "endpoints t = 0 and t = 1",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("v_model",)


def flow_matching_loss(v_model: nn.Module, x0: Tensor, x1: Tensor, t: Tensor) -> Tensor:
    tt = t.reshape((-1,) + (1,) * (x0.dim() - 1))
    x_t = (1 - tt) * x0 + tt * x1
    return ((v_model(x_t, t) - (x1 - x0)) ** 2).mean()


def reference(v_model, x0, x1, t):
    tt = t.view(-1, *([1] * (x0.dim() - 1)))
    x_t = torch.lerp(x0, x1, tt)
    return F.mse_loss(v_model(x_t, t), x1 - x0)


class VelocityModel(nn.Module):
    """A tiny velocity field with fixed random weights: works on any trailing shape."""

    def __init__(self, gen, dtype):
        super().__init__()
        self.a = nn.Parameter(torch.randn(3, generator=gen, dtype=dtype))
        self.b = nn.Parameter(torch.randn(3, generator=gen, dtype=dtype))

    def forward(self, x_t, t):
        time = t.view(-1, *([1] * (x_t.dim() - 1)))
        return self.a[0] * x_t + torch.tanh(self.a[1] * x_t + self.a[2] * time) * self.b[0] + self.b[1] * time + self.b[2]

    def __repr__(self):
        return "VelocityModel(x_t, t): a0 x_t + b0 tanh(a1 x_t + a2 t) + b1 t + b2, fixed random weights"


def inputs(gen, case):
    def draw(shape, dtype=torch.float32, t=None):
        return {
            "v_model": VelocityModel(gen, dtype),
            "x0": torch.randn(*shape, generator=gen, dtype=dtype),
            "x1": torch.randn(*shape, generator=gen, dtype=dtype) * 2 + 1,
            "t": torch.rand(shape[0], generator=gen, dtype=dtype) if t is None else t.to(dtype),
        }

    if case == "one sample, 1-D":
        return draw((1, 1))
    if case == "batch of 8, 4-D":
        return draw((8, 4))
    if case == "image-shaped data (N, 1, 4, 4)":
        return draw((3, 1, 4, 4))
    if case == "endpoints t = 0 and t = 1":
        return draw((4, 2), t=torch.tensor([0.0, 1.0, 0.0, 1.0]))
    if case == "float64":
        return draw((6, 3), dtype=torch.float64)
    raise ValueError(case)


def _t_swapped(v_model, x0, x1, t):
    tt = t.view(-1, *([1] * (x0.dim() - 1)))
    return F.mse_loss(v_model(tt * x0 + (1 - tt) * x1, t), x1 - x0)


def _sign(v_model, x0, x1, t):
    tt = t.view(-1, *([1] * (x0.dim() - 1)))
    return F.mse_loss(v_model((1 - tt) * x0 + tt * x1, t), x0 - x1)


MISTAKES = {
    "the path runs from noise x0 (t = 0) to data x1 (t = 1): x_t = (1 - t) x0 + t x1": _t_swapped,
    "the target velocity is x1 - x0 (towards the data)": _sign,
}


def from_snippet(example, snippet):
    data = example["x1"]
    return {
        "v_model": lambda x, t: snippet._marginal_velocity(x, t, data),
        "x0": example["x0"],
        "x1": example["x1"],
        "t": example["t"],
    }
