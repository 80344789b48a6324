"""Practice task for card 'termination-vs-truncation': GAE that bootstraps through time limits."""

import torch
from torch import Tensor

FUNCTION = "gae_truncation"
DOCSTRING = """GAE over a rollout from auto-resetting environments, with terminations and time-limit
truncations told apart (Pardo et al. 2018; Gymnasium's terminated / truncated).

Args:
    rewards: (T,) or (T, B) rewards r_t.
    values: like rewards, V(s_t).
    next_values: like rewards, V of the next observation. Within an episode that is V(s_{t+1});
        at a truncated step it is the value of the real final observation (the next row of the
        rollout already belongs to a new episode).
    dones: like rewards, floats, 1.0 if the episode TERMINATED at step t (no bootstrap).
    truncated: like rewards, floats, 1.0 if a time limit cut the episode at step t.
    gamma: discount. Default 0.99.   lam: the GAE lambda. Default 0.95.

Returns:
    advantages, shaped like rewards, same dtype:
        delta_t = r_t + gamma (1 - dones_t) next_values_t - values_t      (truncation still bootstraps)
        A_t     = delta_t + gamma lam (1 - dones_t)(1 - truncated_t) A_{t+1},   A after the rollout = 0

Checked: values and the gradients w.r.t. rewards, values and next_values.
"""
REFERENCE = "SB3 route: fold gamma * next_value into the reward at truncations, then plain GAE cut at every episode end (double loop)"
CASES = [
    "one step, truncated",
    "6 steps, a truncation mid-rollout",
    "6 steps, a termination mid-rollout",
    "both kinds in 3 parallel envs x 8 steps",
    "no episode end",
    "lam 1, gamma 1",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("rewards", "values", "next_values")


def gae_truncation(
    rewards: Tensor,
    values: Tensor,
    next_values: Tensor,
    dones: Tensor,
    truncated: Tensor,
    gamma: float = 0.99,
    lam: float = 0.95,
) -> Tensor:
    deltas = rewards + gamma * (1 - dones) * next_values - values
    carry = (1 - dones) * (1 - truncated)
    advantages = []
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        running = deltas[t] + gamma * lam * carry[t] * running
        advantages.append(running)
    return torch.stack(advantages[::-1])


def reference(rewards, values, next_values, dones, truncated, gamma=0.99, lam=0.95):
    folded = rewards + gamma * truncated * next_values  # SB3: rewards[idx] += gamma * terminal_value
    ended = ((dones + truncated) > 0).to(rewards.dtype)
    steps = rewards.shape[0]
    rows = []
    for t in range(steps):
        total = torch.zeros_like(rewards[0])
        alive = torch.ones_like(rewards[0])
        for k in range(t, steps):
            delta = folded[k] + gamma * (1 - ended[k]) * next_values[k] - values[k]
            total = total + (gamma * lam) ** (k - t) * alive * delta
            alive = alive * (1 - ended[k])
        rows.append(total)
    return torch.stack(rows)


def inputs(gen, case):
    def draw(steps, envs=None, dtype=torch.float32):
        shape = (steps,) if envs is None else (steps, envs)
        return {
            "rewards": torch.randn(*shape, generator=gen, dtype=dtype),
            "values": torch.randn(*shape, generator=gen, dtype=dtype),
            "next_values": torch.randn(*shape, generator=gen, dtype=dtype),
            "dones": torch.zeros(*shape, dtype=dtype),
            "truncated": torch.zeros(*shape, dtype=dtype),
            "gamma": 0.9,
            "lam": 0.8,
        }

    if case == "one step, truncated":
        out = draw(1)
        out["truncated"] = torch.ones(1)
        return out
    if case == "6 steps, a truncation mid-rollout":
        out = draw(6)
        out["truncated"][2] = 1.0
        return out
    if case == "6 steps, a termination mid-rollout":
        out = draw(6)
        out["dones"][3] = 1.0
        return out
    if case == "both kinds in 3 parallel envs x 8 steps":
        out = draw(8, envs=3)
        out["dones"][2, 0] = out["dones"][5, 1] = 1.0
        out["truncated"][4, 0] = out["truncated"][1, 2] = out["truncated"][6, 1] = 1.0
        return out
    if case == "no episode end":
        return draw(5)
    if case == "lam 1, gamma 1":
        out = {**draw(5), "gamma": 1.0, "lam": 1.0}
        out["truncated"][1] = 1.0
        out["dones"][3] = 1.0
        return out
    if case == "float64":
        out = draw(6, envs=2, dtype=torch.float64)
        out["truncated"][2, 1] = 1.0
        out["dones"][4, 0] = 1.0
        return out
    raise ValueError(case)


def _truncation_as_termination(rewards, values, next_values, dones, truncated, gamma=0.99, lam=0.95):
    ended = ((dones + truncated) > 0).to(rewards.dtype)
    return gae_truncation(rewards, values, next_values, ended, torch.zeros_like(ended), gamma, lam)


def _leaks_across_truncation(rewards, values, next_values, dones, truncated, gamma=0.99, lam=0.95):
    return gae_truncation(rewards, values, next_values, dones, torch.zeros_like(dones), gamma, lam)


MISTAKES = {
    "a time-limit truncation must still bootstrap from V(s_{t+1}): only terminations zero it": (
        _truncation_as_termination
    ),
    "the recursion must stop at a truncation too: the next row belongs to a new episode": _leaks_across_truncation,
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0], snippet_value  # the card asks for the advantage at t = 0
