"""The KL-regularised RLHF objective and its closed-form optimum, on one prompt with 4 responses.

J(pi) = E_pi[r] - beta KL(pi || pi_ref)  is maximised by  pi* = pi_ref exp(r/beta) / Z,
Z = sum_y pi_ref(y) exp(r(y)/beta), and the maximum is J(pi*) = beta log Z (Rafailov et al.
2023, App. A.1; the KL-control / "RL as inference" view of Korbak et al. 2022).
DPO inverts it: r = beta log(pi*/pi_ref) + beta log Z; in a Bradley-Terry *difference*
r(y_w) - r(y_l) the beta log Z term cancels, which is why Z never has to be computed.
The from-scratch route evaluates J at pi*; the reference is the closed form beta * logsumexp.
"""

import random

import torch

REFERENCE = "beta * torch.logsumexp(log pi_ref + r / beta)  (closed-form maximum beta log Z)"


def example():
    return {
        "rewards": torch.tensor([1.0, 0.0, 2.0, -1.0]),
        "pi_ref": torch.tensor([0.4, 0.3, 0.2, 0.1]),
        "beta": 1.0,
    }


def problem(rng: random.Random):
    w = [rng.randint(1, 5) for _ in range(4)]
    return {
        "rewards": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(4)]),
        "pi_ref": torch.tensor([x / sum(w) for x in w]),
        "beta": rng.choice([0.5, 1.0, 2.0]),
    }


def _objective(pi, rewards, pi_ref, beta):
    kl = (pi * (torch.log(pi) - torch.log(pi_ref))).sum()
    return (pi * rewards).sum() - beta * kl


def loss(rewards, pi_ref, beta=1.0):
    unnormalised = pi_ref * torch.exp(rewards / beta)
    z = unnormalised.sum()
    pi_star = unnormalised / z
    implied_reward = beta * torch.log(pi_star / pi_ref)  # = r - beta log Z
    near_greedy = torch.full_like(pi_ref, 0.01)
    near_greedy[rewards.argmax()] = 1 - 0.01 * (rewards.numel() - 1)
    return {
        "pi_star": pi_star,
        "log_Z": torch.log(z),
        "implied_reward": implied_reward,
        "implied_minus_true_reward": implied_reward - rewards,  # the constant -beta log Z
        "implied_gap_y0_y1": implied_reward[0] - implied_reward[1],  # = r0 - r1: Z cancelled
        "J_at_pi_ref": _objective(pi_ref, rewards, pi_ref, beta),
        "J_at_near_greedy": _objective(near_greedy, rewards, pi_ref, beta),
        "value": _objective(pi_star, rewards, pi_ref, beta),
    }


def reference(rewards, pi_ref, beta=1.0):
    return beta * torch.logsumexp(torch.log(pi_ref) + rewards / beta, dim=0)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
