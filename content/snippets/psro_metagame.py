"""PSRO / Double Oracle on generalised rock-paper-scissors: a Nash meta-solver by regret matching+.

Population of policies -> empirical payoff matrix M[i, j] (payoff of i against j) -> meta-solver
-> meta-strategy sigma -> best response to sigma (the "oracle"; deep RL in real PSRO) -> add it.
Lanctot et al. (2017). Double Oracle (McMahan et al., 2003) is the special case with a NASH
meta-solver AND exact best responses; a uniform meta-solver with exact best responses is
fictitious play instead. Here the meta-solver approximates Nash on the restricted game by
regret matching+ self-play (its linearly averaged strategy converges to Nash in two-player
zero-sum games; fictitious play would too, Robinson 1951, but ~100x more slowly), so with the
exact best-response oracle below this is Double Oracle.
Payoff: paper beats rock by a, rock beats scissors by b, scissors beats paper by c. Closed form of
the symmetric Nash: sigma* = (c, b, a) / (a + b + c), since M sigma* = 0 (game value 0).
Exploitability of sigma: max_i (M sigma)_i, the most a best response gains against it.
"""

import functools
import random

import torch

REFERENCE = "closed form sigma* = (c, b, a) / (a + b + c)"
# RM+ with linear averaging: after 300 iterations the meta-strategy is within ~0.005 of Nash;
# the comparison uses atol 0.02.
TOLERANCE = {"rtol": 0.0, "atol": 0.02}
NAMES = ["rock", "paper", "scissors"]
ROUNDS = 300


def _payoff(a, b, c):
    return torch.tensor([[0.0, -a, b], [a, 0.0, -c], [-b, c, 0.0]])


def example():
    return {"payoff": _payoff(1.0, 2.0, 3.0)}


def problem(rng: random.Random):
    return {"payoff": _payoff(*(float(rng.randint(1, 3)) for _ in range(3)))}


def _rm(regrets):
    pos = [max(r, 0.0) for r in regrets]
    total = sum(pos)
    return [p / total for p in pos] if total > 0 else [1 / len(pos)] * len(pos)


@functools.lru_cache(maxsize=256)  # m is a tuple of tuples; `check` meets the same restricted games often
def _meta_nash(m):
    """Meta-solver: regret matching+ self-play on the (symmetric, zero-sum) restricted game m,
    alternating updates, linearly averaged strategy (Tammelin, 2014)."""
    n = len(m)
    reg = [[0.0] * n, [0.0] * n]
    avg = [0.0] * n
    for t in range(1, ROUNDS + 1):
        for p in range(2):
            mine, opp = _rm(reg[p]), _rm(reg[1 - p])
            u = [sum(m[i][j] * opp[j] for j in range(n)) for i in range(n)]
            ev = sum(x * y for x, y in zip(mine, u))
            reg[p] = [max(r + x - ev, 0.0) for r, x in zip(reg[p], u)]
            if p == 0:
                avg = [w + t * x for w, x in zip(avg, mine)]
    return [w / sum(avg) for w in avg]


def loss(payoff):
    full = payoff.tolist()
    population = [0]  # start from a single policy: rock
    while True:
        restricted = tuple(tuple(full[i][j] for j in population) for i in population)
        sigma = _meta_nash(restricted)
        gains = [sum(full[i][j] * s for j, s in zip(population, sigma)) for i in range(3)]
        best = max(range(3), key=gains.__getitem__)  # oracle: best response to the mixture
        # stop when the oracle finds nothing new (or gains < 0.01 vs the approximate meta-Nash)
        if best in population or gains[best] <= 1e-2:
            break
        population.append(best)
    meta = torch.zeros(3)
    meta[population] = torch.tensor(sigma)
    uniform = torch.full((3,), 1 / 3)
    return {
        "population_order": [NAMES[i] for i in population],
        "exploitability_uniform_meta": (payoff @ uniform).max(),
        "exploitability_nash_meta": (payoff @ meta).max(),
        "value": meta,
    }


def reference(payoff):
    a, b, c = float(payoff[1, 0]), float(payoff[0, 2]), float(payoff[2, 1])
    return torch.tensor([c, b, a]) / (a + b + c)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
