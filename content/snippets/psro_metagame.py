"""PSRO / Double Oracle on generalised rock-paper-scissors: meta-solve by fictitious play.

Population of policies -> empirical payoff matrix M[i, j] (payoff of i against j) -> meta-solver
-> meta-strategy sigma -> best response to sigma (the "oracle"; deep RL in real PSRO) -> add it.
Lanctot et al. (2017). Double Oracle (McMahan et al., 2003) is the special case with a NASH
meta-solver AND exact best responses; a uniform meta-solver with exact best responses is
fictitious play instead. Here the meta-solver approximates Nash by fictitious play (each round best-respond to the empirical mixture of past
plays; it converges to Nash in two-player zero-sum games, Robinson 1951, but slowly).
Payoff: paper beats rock by a, rock beats scissors by b, scissors beats paper by c. Closed form of
the symmetric Nash: sigma* = (c, b, a) / (a + b + c), since M sigma* = 0 (game value 0).
Exploitability of sigma: max_i (M sigma)_i, the most a best response gains against it.
"""

import random

import torch

REFERENCE = "closed form sigma* = (c, b, a) / (a + b + c)"
# Fictitious play's empirical mixture converges at roughly t^(-1/2): after 20k rounds it is
# within ~0.01 of Nash, so the comparison uses atol 0.02.
TOLERANCE = {"rtol": 0.0, "atol": 0.02}
NAMES = ["rock", "paper", "scissors"]
ROUNDS = 20_000


def _payoff(a, b, c):
    return torch.tensor([[0.0, -a, b], [a, 0.0, -c], [-b, c, 0.0]])


def example():
    return {"payoff": _payoff(1.0, 2.0, 3.0)}


def problem(rng: random.Random):
    return {"payoff": _payoff(*(float(rng.randint(1, 3)) for _ in range(3)))}


def _fictitious_play(m):
    """Meta-solver: empirical mixture of FP on the (symmetric, zero-sum) restricted game m."""
    n = len(m)
    counts = [1.0] * n
    vals = [sum(row) for row in m]  # payoff of each strategy against the current counts
    for _ in range(ROUNDS):
        br = max(range(n), key=vals.__getitem__)
        counts[br] += 1
        for i in range(n):
            vals[i] += m[i][br]
    return [c / sum(counts) for c in counts]


def loss(payoff):
    full = payoff.tolist()
    population = [0]  # start from a single policy: rock
    while True:
        restricted = [[full[i][j] for j in population] for i in population]
        sigma = _fictitious_play(restricted)
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
        "exploitability_fp_meta": (payoff @ meta).max(),
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
