"""n-step TD target with a termination mask, from scratch, against the backward Bellman recursion.

G^(n)_t = sum_{k<n} gamma^k r_{t+k} + gamma^n (1 - done) V(s_{t+n})   (Rainbow, DQN n-step, A3C)
If the episode TERMINATES inside the window (done at step k < n), the sum stops there and there
is no bootstrap: the rewards after it belong to the next episode. `dones[k]` = 1 if the episode
terminated at step t + k; `next_value` is the bootstrap V(s_{t+n}) (or max_a Qbar(s_{t+n}, a)).
Rainbow uses n = 3 (tuned over 1, 3, 5); larger n propagates reward faster but the target is
then off-policy for replayed data (no correction), one reason n stays small.
Reference, a second route: the backward recursion G <- r_k + gamma (1 - done_k) G, started
from G = V(s_{t+n}).
"""

import random

import torch

REFERENCE = "backward recursion G <- r_k + gamma (1 - done_k) G from G = V(s_{t+n})"


def example():
    return {
        "rewards": torch.tensor([1.0, 0.0, 2.0]),
        "dones": torch.tensor([0.0, 0.0, 0.0]),
        "next_value": torch.tensor(4.0),
        "gamma": 0.9,
    }


def problem(rng: random.Random):
    n = 3
    dones = [0.0] * n
    at = rng.choice([None, None, 0, 1, 2])
    if at is not None:
        dones[at] = 1.0
    return {
        "rewards": torch.tensor([float(rng.randint(-1, 3)) for _ in range(n)]),
        "dones": torch.tensor(dones),
        "next_value": torch.tensor(float(rng.choice([-2, 2, 3, 4, 5, 6]))),
        "gamma": rng.choice([0.5, 0.9]),
    }


def _direct(rewards, dones, next_value, gamma, use_mask=True, boot_power_offset=0):
    alive, total = 1.0, torch.tensor(0.0)
    for k in range(len(rewards)):
        total = total + alive * gamma**k * rewards[k]
        if use_mask:
            alive = alive * (1 - float(dones[k]))
    n = len(rewards) - boot_power_offset
    return total + alive * gamma**n * next_value


def loss(rewards, dones, next_value, gamma):
    n = len(rewards)
    alive = torch.cumprod(torch.cat([torch.ones(1), 1 - dones[:-1]]), 0)  # 1 until a termination
    discounts = gamma ** torch.arange(n, dtype=torch.float32)
    still_running = torch.prod(1 - dones)  # 0 if the episode ended inside the window
    return {
        "alive_before_step": alive,
        "discounts": discounts,
        "discounted_rewards": alive * discounts * rewards,
        "bootstrap_term": still_running * gamma**n * next_value,
        "value": (alive * discounts * rewards).sum() + still_running * gamma**n * next_value,
    }


def mistakes(rewards, dones, next_value, gamma):
    return {
        "bootstrapped through the termination: no future value after a terminal state": _direct(
            rewards, dones, next_value, gamma, use_mask=False),
        "the bootstrap is discounted by gamma^n, not gamma^(n-1)": _direct(
            rewards, dones, next_value, gamma, boot_power_offset=1),
    }


def reference(rewards, dones, next_value, gamma):
    g = next_value
    for k in reversed(range(len(rewards))):
        g = rewards[k] + gamma * (1 - dones[k]) * g
    return g


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
