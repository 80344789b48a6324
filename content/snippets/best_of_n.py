"""Best-of-n sampling: its exact output distribution and KL to the reference, against enumeration.

Draw n i.i.d. samples from pi_ref (`p`, probabilities over K responses with distinct `rewards`) and
keep the one with the highest reward. With outcomes sorted by reward and F the CDF under pi_ref,
  pi_BoN(y_(j)) = F_j^n - F_(j-1)^n        (all n samples at or below y_(j), not all below it)
  P(BoN returns the best response) = 1 - (1 - p_best)^n
The widely quoted KL(pi_BoN || pi_ref) = log n - (n - 1)/n (Stiennon et al. 2020; Hilton & Gao) is
exact only in the continuous limit (every outcome's probability -> 0). For any distribution it is
an UPPER BOUND, and it can be loose when outcomes have sizeable mass (Beirami et al. 2024,
"Theoretical guarantees on the best-of-n alignment policy"). Natural log.
Reference: enumerate all K^n ordered n-tuples of samples and their probabilities.
"""

import itertools
import math
import random

import torch

REFERENCE = "enumeration of all K^n sample tuples (argmax reward of each), then exact KL"


def example():
    return {
        "p": torch.tensor([0.5, 0.3, 0.2]),
        "rewards": torch.tensor([0.0, 1.0, 2.0]),
        "n": 2,
    }


def problem(rng: random.Random):
    k = 3
    while True:
        w = [rng.randint(1, 8) for _ in range(k)]
        if sum(w) == 10:
            break
    rewards = rng.sample([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0], k)
    return {"p": torch.tensor([x / 10 for x in w]), "rewards": torch.tensor(rewards), "n": rng.choice([2, 3, 4, 5])}


def loss(p, rewards, n=2):
    order = torch.argsort(rewards)
    cdf = torch.cumsum(p[order], dim=0)
    below = torch.cat([torch.zeros(1), cdf[:-1]])
    bon_sorted = cdf**n - below**n
    bon = torch.empty_like(p)
    bon[order] = bon_sorted
    support = bon > 0
    kl = (bon[support] * (bon[support].log() - p[support].log())).sum()
    best = int(torch.argmax(rewards))
    return {
        "cdf_by_reward": cdf,
        "bon_probs": bon,
        "kl_formula_bound": torch.tensor(math.log(n) - (n - 1) / n),
        "value": {"p_best": bon[best], "kl": kl},
    }


def reference(p, rewards, n=2):
    k = p.numel()
    probs = p.tolist()
    r = rewards.tolist()
    bon = [0.0] * k
    for tup in itertools.product(range(k), repeat=n):
        weight = math.prod(probs[i] for i in tup)
        bon[max(tup, key=lambda i: r[i])] += weight
    kl = sum(b * math.log(b / q) for b, q in zip(bon, probs) if b > 0)
    best = max(range(k), key=lambda i: r[i])
    return {"p_best": torch.tensor(bon[best]), "kl": torch.tensor(kl)}


def mistakes(p, rewards, n=2):
    right = loss(p, rewards, n)["value"]
    p_best = p[int(torch.argmax(rewards))]
    return {
        "p_best^n is the chance ALL n samples are the best; BoN needs at least one": {"p_best": p_best**n, "kl": right["kl"]},
        "n·p_best double-counts the draws where the best appears more than once": {"p_best": n * p_best, "kl": right["kl"]},
        "log n − (n−1)/n is an upper bound, exact only in the continuous limit": {
            "p_best": right["p_best"], "kl": torch.tensor(math.log(n) - (n - 1) / n)},
    }


def plot():
    ns = list(range(1, 33))
    bound = [math.log(n) - (n - 1) / n for n in ns]
    curves = []
    for k in (3, 1000):
        p = torch.full((k,), 1.0 / k)
        r = torch.arange(k, dtype=torch.float32)
        curves.append([float(loss(p, r, n)["value"]["kl"]) for n in ns])
    return {
        "title": "KL(best-of-n || reference) vs n",
        "x_label": "n",
        "y_label": "KL (nats)",
        "series": [
            {"name": "log n - (n-1)/n", "x": ns, "y": bound},
            {"name": "exact, uniform over 1000 responses", "x": ns, "y": curves[1]},
            {"name": "exact, uniform over 3 responses", "x": ns, "y": curves[0]},
        ],
        "note": "The formula is the continuous limit and an upper bound; with few likely responses the "
        "exact KL saturates at log K (here log 3) while the formula keeps growing like log n.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
