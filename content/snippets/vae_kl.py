"""VAE KL term, from scratch, against torch.distributions.kl_divergence.

KL( N(mu, diag(exp(logvar))) || N(0, I) ) = -1/2 sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))
(Kingma & Welling 2014, Appendix B), in nats, summed over latent dimensions for one example.
Each dimension contributes its own KL_j >= 0; KL_j = 0 exactly when mu_j = 0 and logvar_j = 0,
i.e. q(z_j|x) equals the prior: that dimension carries no information about x (a collapsed
unit). Free bits (Kingma et al. 2016) clamp each latent's KL AVERAGED OVER THE MINIBATCH,
sum_j max(lambda, E_x KL_j): see free_bits.py (it needs a batch, this snippet is one example).
"""

import math
import random

import torch
from torch.distributions import Normal, kl_divergence

REFERENCE = "torch.distributions.kl_divergence(Normal(mu, exp(logvar/2)), Normal(0, 1)).sum()"


def example():
    # dimension 2 has mu = 0, logvar = 0: q(z_2|x) is the prior, a collapsed unit.
    return {"mu": torch.tensor([1.0, 0.0, -0.5]), "logvar": torch.tensor([-1.0, 0.0, 0.5])}


def problem(rng: random.Random):
    n = 2
    return {
        "mu": torch.tensor([rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0, 2.0]) for _ in range(n)]),
        "logvar": torch.tensor([rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0]) for _ in range(n)]),
    }


def loss(mu, logvar):
    var = logvar.exp()
    per_dim = 0.5 * (mu**2 + var - 1 - logvar)  # = -1/2 (1 + logvar - mu^2 - var)
    return {
        "var": var,
        "per_dim_kl": per_dim,
        "collapsed_dims": (per_dim < 0.01).float(),  # KL_j ~ 0: z_j ignores x
        "value": per_dim.sum(),
    }


def given(mu, logvar):
    return {f"e^{v:g}": round(math.exp(v), 4) for v in sorted(set(logvar.tolist())) if v != 0}


def mistakes(mu, logvar):
    var = logvar.exp()
    per_dim = 0.5 * (mu**2 + var - 1 - logvar)
    return {
        "the ½ is missing: KL_j = ½(μ² + σ² − 1 − log σ²)": 2 * per_dim.sum(),
        "that is the mean over latent dimensions; the KL is their sum": per_dim.mean(),
        "logvar was read as log σ: it is log σ², so σ² = exp(logvar), not exp(2·logvar)": 0.5 * (
            mu**2 + (2 * logvar).exp() - 1 - 2 * logvar).sum(),
        "sign of log σ² flipped: the term is −log σ² (= −logvar)": 0.5 * (mu**2 + var - 1 + logvar).sum(),
    }


def reference(mu, logvar):
    q = Normal(mu, (0.5 * logvar).exp())
    prior = Normal(torch.zeros_like(mu), torch.ones_like(mu))
    return kl_divergence(q, prior).sum()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
