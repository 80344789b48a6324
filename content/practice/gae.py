"""Practice task for card 'gae': Generalized Advantage Estimation over a rollout."""

import torch
from torch import Tensor

FUNCTION = "gae"
DOCSTRING = """Generalized Advantage Estimation (Schulman et al. 2016) over a rollout of T steps.

Args:
    rewards: (T,) or (T, B) rewards r_t (B parallel environments).
    values: (T + 1,) or (T + 1, B) V(s_t); the last row V(s_T) bootstraps a rollout cut mid-episode.
    dones: like rewards, floats: 1.0 if the episode TERMINATED at step t (s_{t+1} is terminal:
        no bootstrap from it, and the advantage does not flow back across it).
    gamma: discount. Default 0.99.   lam: the GAE lambda. Default 0.95 (PPO / CleanRL).

Returns:
    advantages, shaped like rewards, same dtype:
        delta_t = r_t + gamma (1 - done_t) V(s_{t+1}) - V(s_t)
        A_t     = delta_t + gamma lam (1 - done_t) A_{t+1},     A_T = 0
    (lam = 0 gives the TD error; lam = 1 gives the Monte-Carlo return minus V(s_t).
    The TD(lambda) return, the value target, is A_t + V(s_t).)

Checked: values and the gradients w.r.t. rewards and values.
"""
REFERENCE = "forward view: A_t = sum_l (gamma lam)^l delta_{t+l}, cut at terminations (double loop)"
CASES = [
    "one step",
    "5 steps, no termination",
    "episode ends mid-rollout",
    "4 parallel envs x 8 steps",
    "lam 0 (TD error)",
    "lam 1, gamma 1 (Monte Carlo)",
    "defaults (gamma 0.99, lam 0.95)",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("rewards", "values")


def gae(rewards: Tensor, values: Tensor, dones: Tensor, gamma: float = 0.99, lam: float = 0.95) -> Tensor:
    not_done = 1 - dones
    deltas = rewards + gamma * not_done * values[1:] - values[:-1]
    advantages = []
    running = torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        running = deltas[t] + gamma * lam * not_done[t] * running
        advantages.append(running)
    return torch.stack(advantages[::-1])


def reference(rewards, values, dones, gamma=0.99, lam=0.95):
    steps = rewards.shape[0]
    not_done = 1 - dones
    deltas = rewards + gamma * not_done * values[1:] - values[:-1]
    rows = []
    for t in range(steps):
        total = torch.zeros_like(rewards[0])
        alive = torch.ones_like(rewards[0])
        for k in range(t, steps):
            total = total + (gamma * lam) ** (k - t) * alive * deltas[k]
            alive = alive * not_done[k]
        rows.append(total)
    return torch.stack(rows)


def inputs(gen, case):
    def draw(steps, envs=None, dtype=torch.float32, done_p=0.0):
        shape = (steps,) if envs is None else (steps, envs)
        vshape = (steps + 1,) if envs is None else (steps + 1, envs)
        return {
            "rewards": torch.randn(*shape, generator=gen, dtype=dtype),
            "values": torch.randn(*vshape, generator=gen, dtype=dtype),
            "dones": (torch.rand(*shape, generator=gen) < done_p).to(dtype),
            "gamma": 0.9,
            "lam": 0.8,
        }

    if case == "one step":
        return draw(1)
    if case == "5 steps, no termination":
        return draw(5)
    if case == "episode ends mid-rollout":
        out = draw(6)
        out["dones"] = torch.tensor([0.0, 0.0, 1.0, 0.0, 0.0, 0.0])
        return out
    if case == "4 parallel envs x 8 steps":
        return draw(8, envs=4, done_p=0.2)
    if case == "lam 0 (TD error)":
        return {**draw(5, done_p=0.2), "lam": 0.0}
    if case == "lam 1, gamma 1 (Monte Carlo)":
        return {**draw(5, done_p=0.2), "gamma": 1.0, "lam": 1.0}
    if case == "defaults (gamma 0.99, lam 0.95)":
        out = draw(7, envs=2, done_p=0.2)
        del out["gamma"], out["lam"]
        return out
    if case == "float64":
        return draw(6, envs=3, dtype=torch.float64, done_p=0.3)
    raise ValueError(case)


def _dones_ignored_in_recursion(rewards, values, dones, gamma=0.99, lam=0.95):
    deltas = rewards + gamma * (1 - dones) * values[1:] - values[:-1]
    out, running = [], torch.zeros_like(rewards[0])
    for t in reversed(range(len(rewards))):
        running = deltas[t] + gamma * lam * running
        out.append(running)
    return torch.stack(out[::-1])


def _no_lambda_in_recursion(rewards, values, dones, gamma=0.99, lam=0.95):
    return reference(rewards, values, dones, gamma, 1.0)


MISTAKES = {
    "a termination must also stop the recursion: A_t = delta_t + gamma lam (1 - done_t) A_{t+1}": (
        _dones_ignored_in_recursion
    ),
    "the recursion discounts by gamma * lam, not gamma alone": _no_lambda_in_recursion,
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0], snippet_value  # the card asks for the advantage at t = 0
