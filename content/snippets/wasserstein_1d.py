"""Why WGAN: on disjoint supports JS is stuck at log 2 while W1 still measures the distance.

W1 between two 1-D empirical distributions with n samples each: the optimal transport plan
matches sorted samples, W1 = (1/n) sum_i |x_real_(i) - x_fake_(i)|.
The reference is a second route, W1 = integral |F_real(t) - F_fake(t)| dt, with the empirical
CDFs integrated exactly between consecutive sample points.
Jensen-Shannon JS(P, Q) = 1/2 KL(P || M) + 1/2 KL(Q || M), M = (P + Q)/2, equals log 2 (its
maximum) whenever the supports are disjoint, however far apart they are: its gradient w.r.t. a
shift of the fake samples is zero (Arjovsky & Bottou 2017; Arjovsky et al. 2017, Example 1).
"""

import math
import random

import torch

REFERENCE = "integral of |F_real - F_fake| over the merged sample points (CDF route)"


def example():
    return {"x_real": torch.tensor([0.0, 0.5, 1.0]), "x_fake": torch.tensor([3.0, 4.0, 3.5])}


def problem(rng: random.Random):
    return {
        "x_real": torch.tensor([rng.randint(0, 10) / 2 for _ in range(3)]),
        "x_fake": torch.tensor([rng.randint(0, 10) / 2 for _ in range(3)]),
    }


def _js(a, b):
    support = torch.cat([a, b]).unique()
    p = (a[:, None] == support).float().mean(0)
    q = (b[:, None] == support).float().mean(0)
    m = (p + q) / 2

    def kl(u):
        nz = u > 0
        return (u[nz] * (u[nz] / m[nz]).log()).sum()

    return 0.5 * kl(p) + 0.5 * kl(q)


def _w1(a, b):
    return (a.sort().values - b.sort().values).abs().mean()


def loss(x_real, x_fake):
    sorted_pairs = torch.stack([x_real.sort().values, x_fake.sort().values])
    closer = x_fake - 0.5 * (x_fake.mean() - x_real.mean())  # fake moved halfway towards real
    return {
        "sorted_real_and_fake": sorted_pairs,
        "js": _js(x_real, x_fake),
        "log_2": torch.tensor(math.log(2)),
        "w1_and_js_after_moving_fake_halfway": torch.stack([_w1(x_real, closer), _js(x_real, closer)]),
        "value": _w1(x_real, x_fake),
    }


def reference(x_real, x_fake):
    points = torch.cat([x_real, x_fake]).sort().values
    cdf_real = (x_real[None, :] <= points[:-1, None]).float().mean(1)
    cdf_fake = (x_fake[None, :] <= points[:-1, None]).float().mean(1)
    return ((cdf_real - cdf_fake).abs() * points.diff()).sum()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
