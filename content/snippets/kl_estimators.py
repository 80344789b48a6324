"""KL estimators k1, k2, k3 (Schulman 2020, "Approximating KL divergence"): Monte Carlo means
against the exact values for two small categoricals.

Target KL(q || p) with samples x ~ q and r = p(x)/q(x). In RLHF/GRPO q = pi_theta (the policy
that generated the tokens), p = pi_ref, so r = pi_ref/pi and this is the reverse KL(pi || pi_ref).
  k1 = -log r                 unbiased, high variance, negative on some samples
  k2 = 1/2 (log r)^2          biased (E[k2] != KL), low variance, >= 0
  k3 = (r - 1) - log r        unbiased (E[r] = 1), >= 0 on every sample, low variance when p ~ q
The reference gives each estimator's exact expectation: KL(q || p) from
torch.distributions.kl_divergence for k1 and k3, and E_q[k2] by enumeration for k2 (which is
not the KL: the gap is k2's bias, shown as a step).
TOLERANCE: Monte Carlo with N = 400 000 samples; per-sample std is <= ~1.3 for these
distributions (probabilities >= 1/11), so the standard error is <= ~0.002 and atol = 0.01 is
> 5 standard errors. rtol is 0 because the error is absolute, not relative.
"""

import random

import torch
from torch.distributions import Categorical, kl_divergence

REFERENCE = "torch.distributions.kl_divergence (k1, k3); exact E_q[k2] by enumeration"
TOLERANCE = {"rtol": 0.0, "atol": 0.01}
N_SAMPLES = 400_000


def example():
    return {"q": torch.tensor([0.5, 0.3, 0.2]), "p": torch.tensor([0.2, 0.3, 0.5])}


def problem(rng: random.Random):
    def dist():
        w = [rng.randint(1, 5) for _ in range(3)]
        return torch.tensor([x / sum(w) for x in w])

    return {"q": dist(), "p": dist()}


def loss(q, p):
    x = torch.multinomial(q, N_SAMPLES, replacement=True)  # samples from q (the policy)
    log_r = torch.log(p[x]) - torch.log(q[x])
    k1 = -log_r
    k2 = 0.5 * log_r**2
    k3 = (torch.exp(log_r) - 1) - log_r
    exact_kl = (q * (torch.log(q) - torch.log(p))).sum()
    return {
        "exact_kl": exact_kl,
        "std_k1": k1.std(),
        "std_k2": k2.std(),
        "std_k3": k3.std(),
        "fraction_k1_negative": (k1 < 0).float().mean(),
        "min_k3": k3.min(),
        "k2_bias": (q * 0.5 * (torch.log(p) - torch.log(q)) ** 2).sum() - exact_kl,
        "value": {"k1": k1.mean(), "k2": k2.mean(), "k3": k3.mean()},
    }


def reference(q, p):
    kl = kl_divergence(Categorical(probs=q), Categorical(probs=p))
    expected_k2 = sum(float(q[i]) * 0.5 * float(torch.log(p[i] / q[i])) ** 2 for i in range(q.numel()))
    return {"k1": kl, "k2": torch.tensor(expected_k2), "k3": kl}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
