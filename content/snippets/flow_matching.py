"""Conditional flow matching (rectified-flow / OT path), and why the marginal field is not straight.

Convention (Lipman et al. 2023; Liu et al. 2022): t = 0 is NOISE x0 ~ N(0, 1), t = 1 is DATA x1,
    x_t = (1 - t) x0 + t x1,  conditional velocity x1 - x0,
    L_CFM = E_{t, x0, x1} || v_theta(x_t, t) - (x1 - x0) ||^2   (here a mean over the samples).
SD3 / diffusers' flow-matching scripts use the OPPOSITE time: x_s = (1 - s) data + s noise (s = 1 is
noise) with target noise - data; same path, s = 1 - t, velocity sign flipped. Lipman's OT path also
keeps a floor sigma_min: x_t = (1 - (1 - sigma_min) t) x0 + t x1 (dropped here, sigma_min = 0).
The model is the exact MARGINAL field for data = the two x1 values (equal weights),
u(x, t) = E[x1 - x0 | x_t = x], the minimiser of L_CFM. Its loss is the irreducible part: >= 0, and
> 0 whenever x_t does not pin down which data point it came from (early t, close data points);
it tends to 0 late in t, when x_t sits decisively near t * one data point.
From scratch: E[x1 | x_t = x] by Bayes over the two data points (x_t | x1 = c ~ N(t c, (1 - t)^2)),
u = (E[x1 | x] - x) / (1 - t).
Reference (a second route, no shared code): the score. For this path
u(x, t) = (x + (1 - t) * grad_x log p_t(x)) / t, with p_t the Gaussian mixture from
torch.distributions.MixtureSameFamily, differentiated by autograd.
Steps: integrating dx/dt = u from a start x0[0] != 0 ends near ONE data point (the 1-D flow is
monotone: starts below 0 go to the lower point, above 0 to the upper one), while the straight line
along the initial velocity u(x0, 0) = mean(x1) - x0 ends at the data MEAN: the marginal path is curved.
"""

import math
import random

import torch
from torch.distributions import Categorical, MixtureSameFamily, Normal

REFERENCE = "u = (x + (1 - t) grad log p_t(x)) / t, with autograd of MixtureSameFamily.log_prob"
ODE_STEPS = 400


def example():
    return {"x0": torch.tensor([0.3, -0.5]), "x1": torch.tensor([-1.0, 1.0]), "t": torch.tensor([0.3, 0.4])}


def problem(rng: random.Random):
    a = rng.choice([-1.5, -1.0, -0.5])
    return {
        "x0": torch.tensor([rng.choice([-1.0, -0.5, 0.5, 1.0]), rng.randint(-15, 15) / 10]),
        "x1": torch.tensor([a, a + rng.choice([1.0, 1.5, 2.0])]),
        "t": torch.tensor([rng.choice([0.2, 0.3, 0.4, 0.5]) for _ in range(2)]),
    }


def _marginal_velocity(x, t, data):
    logw = -0.5 * ((x[..., None] - t[..., None] * data) / (1 - t[..., None])) ** 2
    w = torch.exp(logw - logw.max(dim=-1, keepdim=True).values)
    x1_mean = (w * data).sum(dim=-1) / w.sum(dim=-1)
    return (x1_mean - x) / (1 - t)


def _ode(x, data):
    """Euler along the marginal velocity from x at t = 0 to t = 1, on plain floats.

    The same update as _marginal_velocity, one point at a time: 400 steps of tiny tensor ops
    cost ~0.1 s per problem, the float loop ~1 ms (float64, so it agrees with float32 to ~1e-6).
    """
    dt = 1.0 / ODE_STEPS
    for k in range(ODE_STEPS):  # midpoint times avoid the 1/(1 - t) at t = 1
        t = (k + 0.5) * dt
        logw = [-0.5 * ((x - t * d) / (1 - t)) ** 2 for d in data]
        w = [math.exp(lw - max(logw)) for lw in logw]
        velocity = (sum(wi * d for wi, d in zip(w, data)) / sum(w) - x) / (1 - t)
        x = x + velocity * dt
    return torch.tensor([x]), torch.tensor([velocity])


def loss(x0, x1, t):
    x_t = (1 - t) * x0 + t * x1
    target = x1 - x0
    pred = _marginal_velocity(x_t, t, x1)
    x, velocity = _ode(float(x0[0]), [float(d) for d in x1])
    v0 = _marginal_velocity(x0[:1], torch.zeros(1), x1)
    return {
        "x_t": x_t,
        "target_x1_minus_x0": target,
        "marginal_velocity_pred": pred,
        "sd3_convention_target_noise_minus_data": x0 - x1,  # same path, time reversed
        "initial_velocity_at_x0": v0,
        "straight_line_endpoint": x0[:1] + v0,  # = the data mean
        "ode_endpoint": x,                      # near one data point
        "velocity_at_start_and_end": torch.cat([v0, velocity]),  # not constant: a curved path
        "value": ((pred - target) ** 2).mean(),
    }


def reference(x0, x1, t):
    x_t = ((1 - t) * x0 + t * x1).double()
    tt = t.double()
    data = x1.double()
    x = x_t.clone().requires_grad_(True)
    logp = []
    for i in range(x.shape[0]):
        mix = MixtureSameFamily(Categorical(probs=torch.full((data.shape[0],), 1.0 / data.shape[0], dtype=torch.float64)),
                                Normal(tt[i] * data, (1 - tt[i]).expand(data.shape[0])))
        logp.append(mix.log_prob(x[i]))
    (score,) = torch.autograd.grad(torch.stack(logp).sum(), x)
    u = (x_t + (1 - tt) * score) / tt
    return ((u - (x1.double() - x0.double())) ** 2).mean().float()


def mistakes(x0, x1, t):
    x_t = (1 - t) * x0 + t * x1
    pred = _marginal_velocity(x_t, t, x1)
    return {
        "target with the SD3/diffusers sign (noise - data) under the t = 0 noise convention": ((pred - (x0 - x1)) ** 2).mean(),
        "regressed onto x1 (the data) instead of the velocity x1 - x0": ((pred - x1) ** 2).mean(),
    }


def plot():
    """Marginal ODE trajectories from several starts vs the straight conditional paths."""
    data = torch.tensor([-1.0, 1.5])
    ts = torch.linspace(0.0, 1.0, ODE_STEPS + 1)
    series = []
    for start in (-1.0, -0.3, 0.3, 1.0):
        x, xs = torch.tensor([start]), [start]
        for k in range(ODE_STEPS):
            x = x + _marginal_velocity(x, torch.full_like(x, (k + 0.5) / ODE_STEPS), data) / ODE_STEPS
            xs.append(float(x))
        series.append({"name": f"ODE from x0 = {start}", "x": ts.tolist(), "y": xs})
    mean = float(data.mean())
    series.append({"name": "straight line x0=0.3 -> data mean", "x": [0.0, 1.0], "y": [0.3, mean]})
    return {
        "title": "Flow-matching ODE paths (data at -1 and 1.5)",
        "x_label": "t (0 = noise, 1 = data)",
        "y_label": "x_t",
        "series": series,
        "note": "Each marginal trajectory first heads for the data mean, then bends to one data point.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
