"""The importance-weighted bound (IWAE, Burda, Grosse & Salakhutdinov, 2016) vs the ELBO, from
scratch, against torch.logsumexp; the plot shows the bound tightening with K on a model whose
evidence is known in closed form.

With K samples z_k ~ q(z|x) and log-weights log w_k = log p(x, z_k) - log q(z_k|x):
    ELBO estimate  = (1/K) sum_k log w_k
    IWAE_K         = log (1/K) sum_k w_k = logsumexp_k(log w_k) - log K
E[IWAE_K] <= E[IWAE_{K+1}] <= log p(x), and IWAE_1 = ELBO; by Jensen IWAE_K >= the ELBO estimate on
the same samples. The average is of the WEIGHTS (inside the log), computed stably with logsumexp.
"""

import math
import random

import torch
from torch.distributions import Normal

REFERENCE = "torch.logsumexp(log_w) - log K"


def example():
    return {"log_w": torch.tensor([-2.0, -1.0, -3.0])}


def problem(rng: random.Random):
    k = rng.choice([2, 3, 4])
    return {"log_w": torch.tensor([rng.randint(-8, 0) / 2 for _ in range(k)])}


def loss(log_w):
    k = log_w.numel()
    top = log_w.max()
    iwae = top + torch.log(torch.exp(log_w - top).mean())  # log-mean-exp, max subtracted
    return {
        "weights": log_w.exp(),
        "elbo_estimate": log_w.mean(),
        "jensen_gap": iwae - log_w.mean(),
        "value": iwae,
    }


def reference(log_w):
    return torch.logsumexp(log_w, dim=0) - math.log(log_w.numel())


def given(log_w):
    out = {f"e^{v:g}": round(math.exp(v), 4) for v in sorted(set(log_w.tolist())) if v != 0}
    mean_w = float(log_w.exp().mean())
    if f"{mean_w:.4f}" != "1.0000":  # ln 1 = 0 needs no table
        out[f"ln {mean_w:.4f}"] = round(math.log(mean_w), 4)
    return out


def mistakes(log_w):
    return {
        "that is the mean of the log-weights, the ELBO estimate; IWAE averages the weights inside the log":
            log_w.mean(),
        "the −log K is missing: IWAE is log of the MEAN weight": torch.logsumexp(log_w, 0),
    }


def plot():
    """Conjugate model p(z) = N(0,1), p(x|z) = N(z,1), so log p(x) = log N(x; 0, 2), with a
    deliberately poor q(z|x) = N(0, 1): the mean IWAE_K bound over 2000 repeats vs K."""
    x = 1.5
    log_px = float(Normal(0.0, math.sqrt(2.0)).log_prob(torch.tensor(x)))
    ks = [1, 2, 4, 8, 16, 32, 64]
    means = []
    for k in ks:
        z = torch.randn(2000, k)
        log_w = Normal(0.0, 1.0).log_prob(z) + Normal(z, 1.0).log_prob(torch.tensor(x)) - Normal(0.0, 1.0).log_prob(z)
        means.append(float((torch.logsumexp(log_w, 1) - math.log(k)).mean()))
    xs = [float(k) for k in ks]
    return {
        "title": "IWAE_K tightens toward log p(x) as K grows",
        "x_label": "K (samples)",
        "y_label": "bound (nats)",
        "series": [{"name": "mean IWAE_K (K = 1 is the ELBO)", "x": xs, "y": means},
                   {"name": "log p(x) (exact)", "x": xs, "y": [log_px] * len(xs)}],
        "note": "Monotone in K and below log p(x); the gap closes slowly when q is far from the posterior.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print(plot()["series"][0]["y"])
