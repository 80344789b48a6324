"""The divergence zoo on two discrete distributions, from scratch (as f-divergences), against
second routes: JS through entropies (torch.distributions.Categorical.entropy) and TV by brute
force over every event A (sup_A |P(A) - Q(A)|).

f-divergence: D_f(P || Q) = sum_x q(x) f(p(x) / q(x)), f convex, f(1) = 0 (Csiszar; Ali & Silvey):
    KL          f(t) = t log t                 reverse KL  f(t) = -log t
    TV          f(t) = |t - 1| / 2             chi^2       f(t) = (t - 1)^2
    Hellinger^2 f(t) = (sqrt t - 1)^2 / 2      JS          f(t) = [t log(2t/(1+t)) + log(2/(1+t))] / 2
JS(P, Q) = KL(P || M)/2 + KL(Q || M)/2 with M = (P + Q)/2: symmetric, finite, <= log 2 (nats);
sqrt(JS) is a metric. TV = (1/2) sum |p - q| = sup_A |P(A) - Q(A)| <= 1, a metric;
Pinsker: TV <= sqrt(KL / 2). The original GAN's minimax value with the optimal discriminator is
2 JS - log 4; f-GAN trains any f-divergence through its variational (Fenchel) lower bound.
"""

import itertools
import math
import random

import torch
from torch.distributions import Categorical

REFERENCE = "JS = H(M) - (H(P) + H(Q))/2 via Categorical.entropy(); TV = max over all events |P(A) - Q(A)|"

_F = {
    "kl": lambda t: t * torch.log(t),
    "reverse_kl": lambda t: -torch.log(t),
    "tv": lambda t: (t - 1).abs() / 2,
    "chi2": lambda t: (t - 1) ** 2,
    "hellinger2": lambda t: (torch.sqrt(t) - 1) ** 2 / 2,
    "js": lambda t: (t * torch.log(2 * t / (1 + t)) + torch.log(2 / (1 + t))) / 2,
}


def example():
    return {"p": torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64),
            "q": torch.tensor([0.2, 0.4, 0.4], dtype=torch.float64)}


def _simplex(rng: random.Random):
    while True:  # 3 categories, two decimals, each >= 0.05
        a, b = rng.randint(5, 90), rng.randint(5, 90)
        if a + b <= 95:
            return torch.tensor([a / 100, b / 100, (100 - a - b) / 100], dtype=torch.float64)


def problem(rng: random.Random):
    p = _simplex(rng)
    while True:
        q = _simplex(rng)
        if not torch.equal(p, q):
            return {"p": p, "q": q}


def loss(p, q):
    t = p / q
    f_divs = {name: (q * f(t)).sum() for name, f in _F.items()}
    return {
        "likelihood_ratio_p_over_q": t,
        **{f"D_f_{name}": v for name, v in f_divs.items()},
        "pinsker_bound_sqrt_kl_over_2": torch.sqrt(f_divs["kl"] / 2),
        "value": {"js": f_divs["js"], "tv": f_divs["tv"]},
    }


def reference(p, q):
    m = (p + q) / 2
    js = Categorical(probs=m).entropy() - (Categorical(probs=p).entropy() + Categorical(probs=q).entropy()) / 2
    n = len(p)
    tv = max(abs(float(p[list(a)].sum() - q[list(a)].sum()))
             for r in range(n + 1) for a in itertools.combinations(range(n), r))
    assert float(js) <= math.log(2) + 1e-12
    return {"js": js, "tv": torch.tensor(tv, dtype=torch.float64)}


def mistakes(p, q):
    m = (p + q) / 2
    js = (p * (p / m).log()).sum() / 2 + (q * (q / m).log()).sum() / 2
    right = {"js": js, "tv": (p - q).abs().sum() / 2}
    return {
        "TV has a ½: TV = ½ Σ|p − q| (that is the L1 distance)": {**right, "tv": (p - q).abs().sum()},
        "JS compares each distribution with the MIXTURE M = (P + Q)/2, not with each other": {
            **right, "js": ((p * (p / q).log()).sum() + (q * (q / p).log()).sum()) / 2},
        "JS in bits (log 2); the card asks for nats": {**right, "js": js / math.log(2)},
    }


def plot():
    """Divergences between Bernoulli(0.5) and Bernoulli(theta) over theta."""
    theta = torch.linspace(0.01, 0.99, 99, dtype=torch.float64)
    p = torch.tensor([0.5, 0.5], dtype=torch.float64)
    curves = {name: [] for name in ("kl", "reverse_kl", "js", "tv", "hellinger2")}
    for th in theta:
        q = torch.stack([th, 1 - th])
        for name in curves:
            curves[name].append(float((q * _F[name](p / q)).sum()))
    return {
        "title": "f-divergences between Bernoulli(0.5) and Bernoulli(theta)",
        "x_label": "theta",
        "y_label": "divergence (nats)",
        "series": [{"name": name, "x": theta.tolist(), "y": ys} for name, ys in curves.items()],
        "y_lim": [0.0, 1.5],
        "note": "KL and reverse KL blow up at the edges; JS stays below log 2 = 0.693 and TV below 1.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
