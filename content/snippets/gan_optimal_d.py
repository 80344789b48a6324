"""The optimal discriminator and the generator's criterion C(G) on two discrete distributions.

Goodfellow et al. (2014), Prop. 1 and Thm. 1. For fixed G the discriminator's objective
    V(D) = E_{p_data} log D(x) + E_{p_g} log(1 - D(x))
is maximised pointwise: a log D + b log(1 - D) peaks at D = a/(a + b), so
    D*(x) = p_data(x) / (p_data(x) + p_g(x)),
and plugging D* back in gives
    C(G) = max_D V(D) = 2 JS(p_data || p_g) - log 4,
minimal (= -log 4) iff p_g = p_data, where D* = 1/2 everywhere.
Inputs: p = p_data and q = p_g over the same 3 points (natural logs).
Reference (a second route): maximise V by brute force over a grid of D values at each point,
and JS from its definition with torch's KL (F.kl_div), then 2 JS - log 4.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "grid search over D per point for max V; 2*JS - log 4 with JS via F.kl_div"
# every 3-point distribution in eighths with no empty point (21 of them)
DISTS = [(a / 8, b / 8, (8 - a - b) / 8) for a in range(1, 7) for b in range(1, 8 - a)]


def example():
    return {"p": torch.tensor([0.5, 0.25, 0.25]), "q": torch.tensor([0.25, 0.25, 0.5])}


def problem(rng: random.Random):
    p = rng.choice(DISTS)
    q = rng.choice([d for d in DISTS if d != p])
    return {"p": torch.tensor(p), "q": torch.tensor(q)}


def loss(p, q):
    d_star = p / (p + q)
    v_terms = p * torch.log(d_star) + q * torch.log(1 - d_star)
    m = (p + q) / 2
    js = 0.5 * (p * torch.log(p / m)).sum() + 0.5 * (q * torch.log(q / m)).sum()
    return {
        "d_star": d_star,
        "per_point_p_logD_plus_q_log1mD": v_terms,
        "js": js,
        "two_js_minus_log4": 2 * js - math.log(4),
        "value": {"d_star_x1": d_star[0], "c_of_g": v_terms.sum()},
    }


def reference(p, q):
    grid = torch.linspace(1e-6, 1 - 1e-6, 200001, dtype=torch.float64)
    p64, q64 = p.double(), q.double()
    v = p64[:, None] * torch.log(grid) + q64[:, None] * torch.log1p(-grid)  # (3, grid)
    best, idx = v.max(dim=1)
    m = (p64 + q64) / 2
    # F.kl_div(input=log m, target=p) = sum p (log p - log m) = KL(p || m)
    js = 0.5 * F.kl_div(m.log(), p64, reduction="sum") + 0.5 * F.kl_div(m.log(), q64, reduction="sum")
    assert abs(float(best.sum()) - float(2 * js - math.log(4))) < 1e-6  # Thm 1: both routes agree
    return {"d_star_x1": grid[idx[0]].float(), "c_of_g": best.sum().float()}


def given(p, q):
    d = (p / (p + q)).tolist()
    out = {}
    for x in sorted(set(d) | {1 - v for v in d}):
        frac = _frac(x)
        out[f"ln({frac})"] = round(math.log(x), 4)
    return out


def _frac(x):
    for den in range(2, 17):
        num = round(x * den)
        if abs(num / den - x) < 1e-6:
            return f"{num}/{den}"
    return f"{x:.4f}"


def mistakes(p, q):
    d_star = p / (p + q)
    c = (p * torch.log(d_star) + q * torch.log(1 - d_star)).sum()
    m = (p + q) / 2
    js = 0.5 * (p * torch.log(p / m)).sum() + 0.5 * (q * torch.log(q / m)).sum()
    d_swapped = q / (p + q)
    return {
        "D* inverted: p_g/(p_data + p_g) is the probability of FAKE": {
            "d_star_x1": d_swapped[0], "c_of_g": (p * torch.log(d_swapped) + q * torch.log(1 - d_swapped)).sum()},
        "that is JS, not C(G) = 2 JS - log 4": {"d_star_x1": d_star[0] + 1.0, "c_of_g": js},
        "dropped the -log 4: that is 2 JS": {"d_star_x1": d_star[0] + 1.0, "c_of_g": c + math.log(4)},
    }


def plot():
    """V at one point over D: a log D + b log(1 - D) peaks at a/(a + b)."""
    d = torch.linspace(0.01, 0.99, 99)
    series = []
    for a, b in [(0.5, 0.25), (0.25, 0.5), (0.25, 0.25)]:
        series.append({"name": f"p_data={a}, p_g={b}: D*={a / (a + b):.3f}", "x": d.tolist(),
                       "y": (a * torch.log(d) + b * torch.log1p(-d)).tolist()})
    return {
        "title": "The discriminator's objective at one point",
        "x_label": "D(x)",
        "y_label": "p_data log D + p_g log(1 - D)",
        "series": series,
        "y_lim": [-2.0, 0.0],
        "note": "Each curve peaks at D* = p_data/(p_data + p_g); equal densities give 1/2.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print("given:", given(**inputs))
