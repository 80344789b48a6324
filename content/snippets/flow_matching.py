"""Conditional flow matching (rectified-flow / OT path), and why the marginal field is not straight.

Path (x0 = noise ~ N(0, 1), x1 = data): x_t = (1 - t) x0 + t x1, conditional velocity x1 - x0.
L_CFM = E_{t, x0, x1} || v_theta(x_t, t) - (x1 - x0) ||^2   (Lipman et al. 2023; Liu et al. 2022),
here a mean over the samples. The model is the exact MARGINAL field for data = the x1 values
(equal weights): u(x, t) = E[x1 - x0 | x_t = x] = (E[x1 | x_t = x] - x) / (1 - t), the
minimiser of L_CFM. Its loss is still > 0: pairs through the same x_t have different targets.
Reference (a second route): x1 - x0 = (x1 - x_t) / (1 - t), so L_CFM is the x1-prediction error
weighted by 1 / (1 - t)^2: mean ((x1 - E[x1 | x_t]) / (1 - t))^2.
Steps: integrating dx/dt = u(x, t) from x0[0] bends towards one data point, while the
straight line along the initial velocity ends at the data MEAN: the marginal path is curved.
"""

import random

import torch

REFERENCE = "x1-prediction route: mean(((x1 - E[x1|x_t]) / (1 - t))^2)"
ODE_STEPS = 400


def example():
    return {"x0": torch.tensor([0.3, -0.5]), "x1": torch.tensor([-2.0, 2.0]), "t": torch.tensor([0.3, 0.6])}


def problem(rng: random.Random):
    a = rng.choice([-3.0, -2.5, -2.0, -1.5])
    return {
        "x0": torch.tensor([rng.randint(-15, 15) / 10 for _ in range(2)]),
        "x1": torch.tensor([a, a + rng.choice([3.0, 4.0, 5.0])]),
        "t": torch.tensor([rng.choice([0.2, 0.5, 0.8]) for _ in range(2)]),
    }


def _posterior_mean_x1(x, t, data):
    """E[x1 | x_t = x]: x_t | x1 = c ~ N(t c, (1 - t)^2), equal prior weight on each data point."""
    logw = -0.5 * ((x[..., None] - t[..., None] * data) / (1 - t[..., None])) ** 2
    return (logw.softmax(dim=-1) * data).sum(dim=-1)


def _marginal_velocity(x, t, data):
    return (_posterior_mean_x1(x, t, data) - x) / (1 - t)


def loss(x0, x1, t):
    x_t = (1 - t) * x0 + t * x1
    target = x1 - x0
    pred = _marginal_velocity(x_t, t, x1)
    # Probability-flow ODE from x0[0] (midpoint times avoid the 1/(1 - t) at t = 1).
    x, dt = x0[:1].clone(), 1.0 / ODE_STEPS
    for k in range(ODE_STEPS):
        velocity = _marginal_velocity(x, torch.full_like(x, (k + 0.5) * dt), x1)
        x = x + velocity * dt
    v0 = _marginal_velocity(x0[:1], torch.zeros(1), x1)
    return {
        "x_t": x_t,
        "target_x1_minus_x0": target,
        "marginal_velocity_pred": pred,
        "initial_velocity_at_x0": v0,
        "straight_line_endpoint": x0[:1] + v0,  # = the data mean
        "ode_endpoint": x,                      # = a data point
        "velocity_at_start_and_end": torch.cat([v0, velocity]),  # not constant: a curved path
        "value": ((pred - target) ** 2).mean(),
    }


def reference(x0, x1, t):
    x_t = (1 - t) * x0 + t * x1
    x1_hat = _posterior_mean_x1(x_t, t, x1)
    return (((x1 - x1_hat) / (1 - t)) ** 2).mean()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
