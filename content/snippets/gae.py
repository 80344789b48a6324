"""Generalized Advantage Estimation, from scratch (backward recursion), against the lambda-return.

delta_t = r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)
A_t     = sum_l (gamma lam)^l delta_{t+l}  =  delta_t + gamma lam (1 - done_t) A_{t+1}
(Schulman et al., 2016; PPO/CleanRL defaults gamma = 0.99, lam = 0.95.)
Conventions: `values` has T + 1 entries, the last being V(s_T) for bootstrapping a rollout cut
mid-episode; dones[t] = 1 if the episode terminated at step t (s_{t+1} is terminal, no bootstrap).
CleanRL stores the same flag one step later (dones[t+1], "nextnonterminal").
lam = 0 gives the TD error delta_t (low variance, biased by V); lam = 1 gives the Monte-Carlo
advantage G_t - V(s_t) (unbiased, high variance); the value is the advantage at t = 0.
Reference, a second route: the forward-view lambda-return minus V(s_0), a (1-lam)-weighted
average of n-step returns, with the full return getting the remaining weight lam^(T-1).
"""

import random

import torch

REFERENCE = "forward view: lambda-return G^lam_0 - V(s_0) from weighted n-step returns"


def example():
    return {
        "rewards": torch.tensor([1.0, 0.0, 2.0]),
        "values": torch.tensor([0.5, 1.0, 1.5, 0.0]),
        "dones": torch.tensor([0.0, 0.0, 1.0]),
        "gamma": 0.9,
        "lam": 0.5,
    }


def problem(rng: random.Random):
    t = 2
    # the bootstrap V(s_T) is never 0, so dropping the done mask always shows
    values = [rng.randint(0, 4) / 2 for _ in range(t)] + [rng.randint(1, 4) / 2]
    return {
        "rewards": torch.tensor([float(rng.randint(-1, 2)) for _ in range(t)]),
        "values": torch.tensor(values),
        "dones": torch.tensor([0.0] * (t - 1) + [rng.choice([0.0, 1.0, 1.0])]),
        "gamma": rng.choice([0.5, 0.9, 1.0]),
        "lam": rng.choice([0.0, 0.5, 0.9, 1.0]),
    }


def _advantages(rewards, values, dones, gamma, lam):
    not_done = 1 - dones
    deltas = rewards + gamma * not_done * values[1:] - values[:-1]
    adv = torch.zeros_like(rewards)
    running = torch.tensor(0.0)
    for t in reversed(range(len(rewards))):
        running = deltas[t] + gamma * lam * not_done[t] * running
        adv[t] = running
    return deltas, adv


def loss(rewards, values, dones, gamma, lam):
    deltas, adv = _advantages(rewards, values, dones, gamma, lam)
    _, adv_td = _advantages(rewards, values, dones, gamma, 0.0)
    _, adv_mc = _advantages(rewards, values, dones, gamma, 1.0)
    return {
        "td_errors": deltas,
        "advantages": adv,
        "lam0_equals_td_error": adv_td,
        "lam1_equals_return_minus_V": adv_mc,
        "returns_for_value_loss": adv + values[:-1],
        "value": adv[0],
    }


def mistakes(rewards, values, dones, gamma, lam):
    ones = torch.zeros_like(dones)
    _, no_mask = _advantages(rewards, values, ones, gamma, lam)
    _, no_lam = _advantages(rewards, values, dones, gamma, 1.0)
    _, td = _advantages(rewards, values, dones, gamma, 0.0)
    return {
        "forgot the done mask: bootstrapped through the termination": no_mask[0],
        "the recursion decays by gamma * lam, not gamma alone": no_lam[0],
        "that is only the one-step TD error delta_0": td[0],
    }


def reference(rewards, values, dones, gamma, lam):
    # One episode: dones can only be set on the last step (see problem()).
    t_len = len(rewards)
    bootstrap = (1 - dones[-1]) * values[-1]

    def n_step_return(n):  # G^(n)_0 = sum_{k<n} gamma^k r_k + gamma^n V(s_n)
        tail = values[n] if n < t_len else bootstrap
        return sum(gamma**k * rewards[k] for k in range(n)) + gamma**n * tail

    weights = [(1 - lam) * lam ** (n - 1) for n in range(1, t_len)] + [lam ** (t_len - 1)]
    lam_return = sum(w * n_step_return(n) for w, n in zip(weights, range(1, t_len + 1)))
    return lam_return - values[0]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
