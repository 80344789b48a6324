"""Dueling Q-network aggregation, from scratch, against the centring-matrix form.

Dueling DQN (Wang et al., 2016, Eq. 9): one head estimates V(s), one A(s, a), combined as
    Q(s, a) = V(s) + A(s, a) - (1/|A|) sum_a' A(s, a')
V + A alone is unidentifiable (add c to V, subtract it from A: same Q); subtracting the mean
advantage pins mean_a Q = V. (The paper also gives a max version, A - max A, which makes V the
greedy value; the mean version trains more stably and is the one used.) The value is
Q(s, a) for the action `actions`.
Reference, a second route: Q = V 1 + (I - 11^T / K) A with the centring matrix.
"""

import random

import torch

REFERENCE = "centring matrix: Q = V 1 + (I - 11^T/K) A"


def example():
    return {"state_value": torch.tensor(2.0), "adv": torch.tensor([1.0, -1.0, 3.0]), "actions": torch.tensor(2)}


def problem(rng: random.Random):
    return {
        "state_value": torch.tensor(float(rng.randint(-2, 4))),
        "adv": torch.tensor([float(rng.randint(-3, 4)) for _ in range(3)]),
        "actions": torch.tensor(rng.randint(0, 2)),
    }


def loss(state_value, adv, actions):
    q = state_value + adv - adv.mean()
    return {"mean_advantage": adv.mean(), "q_values": q, "mean_q_equals_v": q.mean(), "value": q[actions]}


def mistakes(state_value, adv, actions):
    return {
        "that is V + A without centring: the mean advantage must be subtracted": (state_value + adv)[actions],
        "that subtracts max A (the paper's other variant); the standard head subtracts the mean": (
            state_value + adv - adv.max())[actions],
    }


def reference(state_value, adv, actions):
    k = len(adv)
    centring = torch.eye(k) - torch.ones(k, k) / k
    return (state_value * torch.ones(k) + centring @ adv)[actions]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
