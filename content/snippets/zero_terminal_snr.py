"""Zero-terminal-SNR rescaling of a noise schedule (Lin, Liu, Li & Yang 2024, Algorithm 1).

Common schedules end with SNR(T) > 0: Stable Diffusion's scaled-linear betas (0.00085 -> 0.012,
T = 1000) leave sqrt(abar_T) = 0.0683 (SNR 0.0047), so training never sees pure noise while
sampling starts from it (a train/test gap: SD cannot make very dark or very bright images).
Fix: shift sqrt(abar_t) so the last value is 0 and scale so the first is unchanged,
    sqrt(abar)' = (sqrt(abar) - sqrt(abar_T)) * sqrt(abar_1) / (sqrt(abar_1) - sqrt(abar_T)),
then abar' = sqrt(abar)'^2 and beta'_t = 1 - abar'_t / abar'_{t-1}. With SNR(T) = 0, eps-prediction
is degenerate at t = T (x_T = eps), so the paper switches to v-prediction, samples from the last
timestep ("trailing" spacing) and rescales CFG to avoid over-exposure.
Reference (a second route): find the affine map a s + b with a s_1 + b = s_1 and a s_T + b = 0 by
torch.linalg.solve, apply it to sqrt(abar), square.
"""

import random

import torch

REFERENCE = "affine map fixed by its two end conditions, solved with torch.linalg.solve"



def example():
    return {"alpha_bar": torch.tensor([0.81, 0.49, 0.25, 0.09])}


def problem(rng: random.Random):
    # sqrt(abar) on a 0.05 grid: first in {0.8, 0.9, 1.0}, last in {0.1, ..., 0.4}, decreasing
    first = rng.choice([0.8, 0.9, 1.0])
    last = rng.choice([0.1, 0.2, 0.3, 0.4])
    grid = [round(last + 0.05 * k, 2) for k in range(1, round((first - last) / 0.05))]
    mid = sorted(rng.sample(grid, 2), reverse=True)
    r = torch.tensor([first, *mid, last], dtype=torch.float64)
    return {"alpha_bar": (r**2).float()}


def loss(alpha_bar):
    s = alpha_bar.double().sqrt()
    s0, sT = s[0].clone(), s[-1].clone()
    s_new = (s - sT) * s0 / (s0 - sT)
    ab_new = s_new**2
    alphas = torch.cat([ab_new[:1], ab_new[1:] / ab_new[:-1]])
    return {
        "sqrt_alpha_bar": s.float(),
        "snr_before": (alpha_bar / (1 - alpha_bar)),
        "sqrt_alpha_bar_rescaled": s_new.float(),
        "betas_rescaled": (1 - alphas).float(),  # last beta = 1: x_T is pure noise
        "value": {"alpha_bar_2": ab_new[1].float(), "alpha_bar_T": ab_new[-1].float()},
    }


def reference(alpha_bar):
    s = alpha_bar.double().sqrt()
    A = torch.tensor([[float(s[0]), 1.0], [float(s[-1]), 1.0]], dtype=torch.float64)
    a, b = torch.linalg.solve(A, torch.tensor([float(s[0]), 0.0], dtype=torch.float64))
    new = (a * s + b) ** 2
    return {"alpha_bar_2": new[1].float(), "alpha_bar_T": new[-1].float()}


def mistakes(alpha_bar):
    s = alpha_bar.sqrt()
    lin = (alpha_bar - alpha_bar[-1]) * alpha_bar[0] / (alpha_bar[0] - alpha_bar[-1])
    return {
        "rescaled abar itself instead of sqrt(abar)": {"alpha_bar_2": lin[1], "alpha_bar_T": lin[-1]},
        "shifted but not rescaled (first value no longer kept)": {
            "alpha_bar_2": (s[1] - s[-1]) ** 2, "alpha_bar_T": torch.tensor(0.0)},
        "that is the rescaled sqrt(abar); square it": {
            "alpha_bar_2": (s[1] - s[-1]) * s[0] / (s[0] - s[-1]), "alpha_bar_T": torch.tensor(0.0)},
    }


def plot():
    """log SNR of Stable Diffusion's schedule before and after the zero-terminal-SNR rescale."""
    betas = torch.linspace(0.00085**0.5, 0.012**0.5, 1000, dtype=torch.float64) ** 2
    ab = (1 - betas).cumprod(0)
    s = ab.sqrt()
    s_new = (s - s[-1]) * s[0] / (s[0] - s[-1])
    t = torch.arange(1, 1001, dtype=torch.float64)
    snr_old = (ab / (1 - ab)).log()
    ab_new = s_new[:-1] ** 2
    snr_new = (ab_new / (1 - ab_new)).log()
    return {
        "title": "log SNR(t), SD scaled-linear schedule",
        "x_label": "timestep t",
        "y_label": "ln SNR(t)",
        "series": [
            {"name": "original (ends at ln 0.0047 = -5.36)", "x": t.tolist(), "y": snr_old.tolist()},
            {"name": "zero terminal SNR (-> -inf at t = T)", "x": t[:-1].tolist(), "y": snr_new.tolist()},
        ],
        "y_lim": [-12.0, 8.0],
        "note": "The rescale leaves early steps almost unchanged and drives the last SNR to exactly 0.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
