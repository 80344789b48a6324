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


def _counts(q):
    """How many of N_SAMPLES draws x ~ q land on each category.

    A chain of binomials (c_i ~ Binomial(draws left, q_i / mass left)) has the same law as
    counting torch.multinomial(q, N_SAMPLES, replacement=True), in O(categories) instead of
    O(N_SAMPLES): every statistic below depends on the samples only through these counts.
    """
    probs, counts, left, mass = q.double().tolist(), [], float(N_SAMPLES), 1.0
    for i, qi in enumerate(probs):
        if i == len(probs) - 1 or left == 0:
            c = left
        else:
            c = float(torch.binomial(torch.tensor(left, dtype=torch.float64), torch.tensor(min(qi / mass, 1.0), dtype=torch.float64)))
        counts.append(c)
        left, mass = left - c, mass - qi
    return torch.tensor(counts, dtype=torch.float64)


def _mean_std(counts, k):
    """Mean and (N - 1)-normalised std of N samples that take value k[i] counts[i] times."""
    mean = (counts * k).sum() / N_SAMPLES
    return mean.float(), ((counts * (k - mean) ** 2).sum() / (N_SAMPLES - 1)).sqrt().float()


def loss(q, p):
    counts = _counts(q)  # samples from q (the policy), as counts per category
    log_r = torch.log(p.double()) - torch.log(q.double())  # per category
    k1 = -log_r
    k2 = 0.5 * log_r**2
    k3 = (torch.exp(log_r) - 1) - log_r
    (m1, s1), (m2, s2), (m3, s3) = (_mean_std(counts, k) for k in (k1, k2, k3))
    exact_kl = (q * (torch.log(q) - torch.log(p))).sum()
    return {
        "exact_kl": exact_kl,
        "std_k1": s1,
        "std_k2": s2,
        "std_k3": s3,
        "fraction_k1_negative": (counts * (k1 < 0)).sum().float() / N_SAMPLES,
        "min_k3": k3[counts > 0].min().float(),
        "k2_bias": (q * 0.5 * (torch.log(p) - torch.log(q)) ** 2).sum() - exact_kl,
        "value": {"k1": m1, "k2": m2, "k3": m3},
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
