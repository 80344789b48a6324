"""Practice task for card 'td-vs-mc': TD(lambda) returns, the value targets between TD(0) and MC."""

import torch
from torch import Tensor

FUNCTION = "lambda_returns"
DOCSTRING = """TD(lambda) returns G^lambda_t over a rollout of T steps: the value-function targets
that interpolate between TD(0) (lam = 0) and Monte Carlo (lam = 1).

Args:
    rewards: (T,) or (T, B) rewards r_t (B parallel environments).
    values: (T + 1,) or (T + 1, B) V(s_t); the last row V(s_T) bootstraps a rollout cut mid-episode.
    dones: like rewards, floats: 1.0 if the episode TERMINATED at step t (no bootstrap past it).
    gamma: discount. Default 0.99.   lam: lambda. Default 0.95 (as GAE in PPO / CleanRL).

Returns:
    returns shaped like rewards, same dtype, by the recursion
        G_t = r_t + gamma (1 - done_t) [ (1 - lam) V(s_{t+1}) + lam G_{t+1} ],   G_T = V(s_T)
    lam = 0: G_t = r_t + gamma V(s_{t+1}) (TD(0)); lam = 1: the discounted return to the end,
    bootstrapped by V(s_T) only if no termination. Equivalently G_t = A^GAE_t + V(s_t).

Checked: values and the gradients w.r.t. rewards and values.
"""
REFERENCE = "GAE (forward double loop) plus V(s_t)"
CASES = [
    "one step",
    "5 steps, no termination",
    "episode ends mid-rollout",
    "lam 0 (TD(0) targets)",
    "lam 1, gamma 1 (Monte Carlo returns)",
    "4 parallel envs x 8 steps, defaults",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("rewards", "values")


def lambda_returns(rewards: Tensor, values: Tensor, dones: Tensor, gamma: float = 0.99, lam: float = 0.95) -> Tensor:
    not_done = 1 - dones
    returns = []
    running = values[-1]
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * not_done[t] * ((1 - lam) * values[t + 1] + lam * running)
        returns.append(running)
    return torch.stack(returns[::-1])


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
        rows.append(total + values[t])
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
            "lam": 0.7,
        }

    if case == "one step":
        return draw(1)
    if case == "5 steps, no termination":
        return draw(5)
    if case == "episode ends mid-rollout":
        out = draw(6)
        out["dones"] = torch.tensor([0.0, 1.0, 0.0, 0.0, 1.0, 0.0])
        return out
    if case == "lam 0 (TD(0) targets)":
        return {**draw(5, done_p=0.2), "lam": 0.0}
    if case == "lam 1, gamma 1 (Monte Carlo returns)":
        return {**draw(5, done_p=0.2), "gamma": 1.0, "lam": 1.0}
    if case == "4 parallel envs x 8 steps, defaults":
        out = draw(8, envs=4, done_p=0.2)
        del out["gamma"], out["lam"]
        return out
    if case == "float64":
        return draw(6, envs=3, dtype=torch.float64, done_p=0.3)
    raise ValueError(case)


def _advantages_only(rewards, values, dones, gamma=0.99, lam=0.95):
    return reference(rewards, values, dones, gamma, lam) - values[:-1]


MISTAKES = {
    "those are the advantages: the lambda-return (the value target) is A_t + V(s_t)": _advantages_only,
}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0] - inputs["values"][0], snippet_value  # the card's snippet gives A_0 = G_0 - V(s_0)
