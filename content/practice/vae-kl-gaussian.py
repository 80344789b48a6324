"""Practice task for card 'vae-kl-gaussian': KL of a diagonal Gaussian to N(0, I)."""

import torch
from torch import Tensor
from torch.distributions import Normal, kl_divergence

FUNCTION = "gaussian_kl"
DOCSTRING = """The VAE's KL term: KL( N(mu, diag(exp(logvar))) || N(0, I) ), closed form
(Kingma & Welling 2014, Appendix B).

Args:
    mu: (B, D) posterior means, floating point.
    logvar: (B, D) posterior LOG-variances (log sigma**2), same shape and dtype.

Returns:
    A 0-dim tensor with the dtype of mu: SUM over the D latent dimensions, MEAN over the
    B examples, of
        -1/2 * (1 + logvar - mu**2 - exp(logvar))      (nats)

Numerics: must stay finite and accurate for logvar down to -110 (exp(logvar) underflows to 0
in float32 below about -104): use logvar itself, never log(exp(logvar)) or log(std**2).

Checked: values and the gradients w.r.t. mu and logvar.
"""
REFERENCE = "torch.distributions.kl_divergence(Normal(mu, exp(logvar / 2)), Normal(0, 1)).sum(-1).mean()"
BUILTIN = ("kl_divergence",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one example, 3 latents",
    "batch of 16, 8 latents",
    "posterior equals prior (zero)",
    "large log-variances (up to 20)",
    "tiny variances (logvar down to -110)",
    "float64",
]
STABILITY = {"tiny variances (logvar down to -110)"}
NO_GRAD: set[str] = set()
GRAD = ("mu", "logvar")


def gaussian_kl(mu: Tensor, logvar: Tensor) -> Tensor:
    per_dim = -0.5 * (1 + logvar - mu**2 - logvar.exp())
    return per_dim.sum(dim=1).mean()


def reference(mu, logvar):
    if bool((logvar < -80).any()):  # the std underflows; the closed form in float64 is the reference then
        lv = logvar.double()
        return (-0.5 * (1 + lv - mu.double() ** 2 - lv.exp())).sum(-1).mean().to(mu.dtype)
    q = Normal(mu, (0.5 * logvar).exp())
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return kl_divergence(q, prior).sum(-1).mean()


def inputs(gen, case):
    def draw(b, d, dtype=torch.float32):
        return {
            "mu": torch.randn(b, d, generator=gen, dtype=dtype),
            "logvar": torch.randn(b, d, generator=gen, dtype=dtype),
        }

    if case == "one example, 3 latents":
        return draw(1, 3)
    if case == "batch of 16, 8 latents":
        return draw(16, 8)
    if case == "posterior equals prior (zero)":
        return {"mu": torch.zeros(4, 3), "logvar": torch.zeros(4, 3)}
    if case == "large log-variances (up to 20)":
        return {"mu": torch.randn(3, 4, generator=gen), "logvar": torch.rand(3, 4, generator=gen) * 20}
    if case == "tiny variances (logvar down to -110)":
        return {"mu": torch.randn(3, 4, generator=gen), "logvar": -90 - torch.rand(3, 4, generator=gen) * 20}
    if case == "float64":
        return draw(8, 5, dtype=torch.float64)
    raise ValueError(case)


def _mean_over_latents(mu, logvar):
    return (-0.5 * (1 + logvar - mu**2 - logvar.exp())).mean()


MISTAKES = {
    "a mean over the latent dimensions too: the KL SUMS over D, then means over the batch": _mean_over_latents,
}


def from_snippet(example, snippet):
    return {"mu": example["mu"][None], "logvar": example["logvar"][None]}
