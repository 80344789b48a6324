"""Forward vs reverse KL: fit ONE Gaussian q = N(mu, sigma^2) to a two-mode mixture p.

Forward  KL(p || q) = int p log(p/q) dx   (the M-projection, maximum likelihood): mode-covering.
Reverse  KL(q || p) = int q log(q/p) dx   (the I-projection, variational inference): zero-forcing,
mode-seeking: with a too-simple q it tends to sit on one mode and underestimate the spread.
Both are computed by numerical integration (trapezoid rule on a 1-D grid, float64) and minimised
by a grid search over (mu, sigma) that zooms in around the best point.
The reference is a different route: the forward-KL optimum in the Gaussian family matches
moments, mu* = E_p[x] and sigma*^2 = Var_p[x] (Bishop, PRML §10.7; Minka 2005).
"""

import math
import random

import torch

REFERENCE = "moment matching: forward-KL optimum mu* = E_p[x], sigma*^2 = Var_p[x]"

X = torch.linspace(-12.0, 12.0, 1201, dtype=torch.float64)  # integration grid, dx = 0.02
X_COARSE = X[::4]


def example():
    return {"modes": torch.tensor([-2.0, 2.0]), "scale": 0.5, "weights": torch.tensor([0.5, 0.5])}


def problem(rng: random.Random):
    m = rng.choice([1.5, 2.0, 2.5, 3.0])
    w = rng.choice([0.3, 0.4, 0.5, 0.6, 0.7])
    return {"modes": torch.tensor([-m, m]), "scale": rng.choice([0.5, 0.7, 1.0]),
            "weights": torch.tensor([w, 1 - w])}


def _log_normal(x, mu, sigma):
    return -0.5 * ((x - mu) / sigma) ** 2 - torch.log(sigma) - 0.5 * math.log(2 * math.pi)


def _log_mixture(x, modes, scale, weights):
    comps = [math.log(w) + _log_normal(x, m, torch.tensor(scale, dtype=x.dtype))
             for m, w in zip(modes.tolist(), weights.tolist())]
    return torch.logsumexp(torch.stack(comps), dim=0)


def _kl(mu, sigma, x, log_p, forward):
    """KL for every candidate (mu[k], sigma[k]) at once: K x len(x) integrands, trapezoid rule."""
    log_q = _log_normal(x[None, :], mu[:, None], sigma[:, None])
    integrand = log_p.exp() * (log_p - log_q) if forward else log_q.exp() * (log_q - log_p)
    return torch.trapezoid(integrand, x, dim=1)


def _fit(log_mix, forward):
    mus, sigmas = torch.meshgrid(torch.linspace(-4, 4, 33, dtype=torch.float64),
                                 torch.linspace(0.25, 4, 16, dtype=torch.float64), indexing="ij")
    mus, sigmas = mus.flatten(), sigmas.flatten()
    best = _kl(mus, sigmas, X_COARSE, log_mix(X_COARSE), forward).argmin()
    mu, sigma, step = mus[best], sigmas[best], 0.25
    log_p = log_mix(X)
    offsets = torch.arange(-3, 4, dtype=torch.float64)
    for _ in range(16):  # zoom: 7 x 7 candidates around the best point, step / 3 each level
        dm, ds = torch.meshgrid(offsets * step, offsets * step, indexing="ij")
        cm, cs = (mu + dm).flatten(), (sigma + ds).flatten().clamp_min(0.1)  # >= 5 grid steps
        kls = _kl(cm, cs, X, log_p, forward)
        mu, sigma, step = cm[kls.argmin()], cs[kls.argmin()], step / 3
    return torch.round(mu, decimals=6) + 0.0, torch.round(sigma, decimals=6)  # grid precision


def loss(modes, scale, weights):
    def log_mix(x):
        return _log_mixture(x, modes, scale, weights)

    log_p = log_mix(X)
    f_mu, f_sigma = _fit(log_mix, forward=True)
    r_mu, r_sigma = _fit(log_mix, forward=False)
    both_mu, both_sigma = torch.stack([f_mu, r_mu]), torch.stack([f_sigma, r_sigma])
    fwd, rev = _kl(both_mu, both_sigma, X, log_p, True), _kl(both_mu, both_sigma, X, log_p, False)
    return {
        "forward_fit_mu_sigma": torch.stack([f_mu, f_sigma]),  # sits between the modes, wide
        "reverse_fit_mu_sigma": torch.stack([r_mu, r_sigma]),  # sits on one mode, narrow
        # [at the forward fit, at the reverse fit]: each fit is bad under the other direction
        "forward_kl_at_fits": fwd,  # the reverse fit pays heavily for the mode it misses
        "reverse_kl_at_fits": rev,  # the forward fit pays for its mass in the gap
        "value": {"forward_mu": f_mu, "forward_sigma": f_sigma},
    }


def reference(modes, scale, weights):
    modes, weights = modes.double(), weights.double()
    mean = (weights * modes).sum()
    var = (weights * (scale**2 + modes**2)).sum() - mean**2
    return {"forward_mu": mean, "forward_sigma": var.sqrt()}


def plot():
    """The mixture p and the Gaussians fitted by forward and reverse KL (the worked example)."""
    inputs = example()

    def log_mix(x):
        return _log_mixture(x, inputs["modes"], inputs["scale"], inputs["weights"])

    f_mu, f_sigma = _fit(log_mix, forward=True)
    r_mu, r_sigma = _fit(log_mix, forward=False)
    x = X[(X >= -5) & (X <= 5)][::2]
    return {
        "title": "One Gaussian fitted to a two-mode mixture",
        "x_label": "x",
        "y_label": "density",
        "series": [
            {"name": "p (mixture)", "x": x.tolist(), "y": log_mix(x).exp().tolist()},
            {"name": f"forward KL(p||q) fit: mu={float(f_mu):.2f}, sigma={float(f_sigma):.2f}",
             "x": x.tolist(), "y": _log_normal(x, f_mu, f_sigma).exp().tolist()},
            {"name": f"reverse KL(q||p) fit: mu={float(r_mu):.2f}, sigma={float(r_sigma):.2f}",
             "x": x.tolist(), "y": _log_normal(x, r_mu, r_sigma).exp().tolist()},
        ],
        "note": "Forward KL covers both modes (wide, mass in the gap); reverse KL locks onto one mode.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
