"""Practice task for card 'c51': C51's projection of the Bellman target onto the fixed atoms."""

import torch
from torch import Tensor

FUNCTION = "c51_project"
DOCSTRING = """C51 (Bellemare, Dabney & Munos 2017, Algorithm 1): project the distributional Bellman
target onto the fixed support. The loss is then -sum_i m_i log p_i(s, a).

Args:
    atoms: (N,) the support z_0 < ... < z_{N-1}, evenly spaced: dz = z_1 - z_0, v_min = z_0, v_max = z_{N-1}.
    next_probs: (B, N) target-network probabilities p'_j(s', a*) at the greedy next action.
    rewards: (B,) rewards.
    dones: (B,) floats, 1.0 where s' is terminal (no bootstrap: the target is r alone).
    gamma: Default 0.99.

Returns:
    m: (B, N) the projected target distribution (each row sums to 1), dtype of next_probs:
        Tz_j = clamp(r + gamma (1 - done) z_j, v_min, v_max),   b_j = (Tz_j - v_min) / dz
    p'_j is split between atoms floor(b_j) and ceil(b_j) in proportion to closeness:
        m[floor(b_j)] += p'_j (ceil(b_j) - b_j),   m[ceil(b_j)] += p'_j (b_j - floor(b_j))
    When b_j is an integer (Tz_j lands exactly on an atom, e.g. clamped at v_min or v_max),
    floor == ceil and BOTH shares above are 0: the whole p'_j must go to that atom.

Checked: values and the gradient w.r.t. next_probs (m is linear in it).
"""
REFERENCE = "triangular kernel: m_i = sum_j p'_j max(0, 1 - |Tz_j - z_i| / dz)  (Rowland et al. 2018)"
CASES = [
    "one transition, 5 atoms",
    "batch of 8, 51 atoms on [-10, 10]",
    "terminal transitions",
    "targets landing exactly on atoms",
    "targets beyond v_min / v_max (clamped)",
    "default gamma",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("next_probs",)
TOLERANCE = {"rtol": 1e-4, "atol": 1e-5}


def c51_project(atoms: Tensor, next_probs: Tensor, rewards: Tensor, dones: Tensor, gamma: float = 0.99) -> Tensor:
    n = atoms.shape[0]
    v_min, v_max = atoms[0], atoms[-1]
    dz = (v_max - v_min) / (n - 1)
    tz = (rewards[:, None] + gamma * (1 - dones[:, None]) * atoms[None, :]).clamp(v_min, v_max)
    b = (tz - v_min) / dz
    lower, upper = b.floor(), b.ceil()
    to_lower = (upper + (lower == upper).to(b.dtype) - b) * next_probs
    to_upper = (b - lower) * next_probs
    m = torch.zeros_like(next_probs)
    m = m.scatter_add(1, lower.long().clamp(0, n - 1), to_lower)
    m = m.scatter_add(1, upper.long().clamp(0, n - 1), to_upper)
    return m


def reference(atoms, next_probs, rewards, dones, gamma=0.99):
    dz = atoms[1] - atoms[0]
    tz = (rewards[:, None] + gamma * (1 - dones[:, None]) * atoms[None, :]).clamp(atoms[0], atoms[-1])
    kernel = (1 - (tz[:, :, None] - atoms[None, None, :]).abs() / dz).clamp(min=0)  # (B, j, i)
    return torch.einsum("bj,bji->bi", next_probs, kernel)


def inputs(gen, case):
    def draw(b, atoms, dtype=torch.float32, reward_scale=1.0, done_p=0.0):
        return {
            "atoms": atoms.to(dtype),
            "next_probs": torch.randn(b, len(atoms), generator=gen, dtype=dtype).softmax(dim=1),
            "rewards": torch.randn(b, generator=gen, dtype=dtype) * reward_scale,
            "dones": (torch.rand(b, generator=gen) < done_p).to(dtype),
            "gamma": 0.9,
        }

    if case == "one transition, 5 atoms":
        return draw(1, torch.linspace(-2.0, 2.0, 5))
    if case == "batch of 8, 51 atoms on [-10, 10]":
        return draw(8, torch.linspace(-10.0, 10.0, 51), reward_scale=2.0, done_p=0.2)
    if case == "terminal transitions":
        out = draw(4, torch.linspace(-3.0, 3.0, 7))
        out["dones"] = torch.ones(4)
        return out
    if case == "targets landing exactly on atoms":
        out = draw(4, torch.linspace(-2.0, 2.0, 5))
        out["rewards"] = torch.tensor([0.0, 1.0, -1.0, 2.0])
        return {**out, "gamma": 1.0}
    if case == "targets beyond v_min / v_max (clamped)":
        out = draw(4, torch.linspace(-1.0, 1.0, 5))
        out["rewards"] = torch.tensor([5.0, -5.0, 0.7, -30.0])
        return out
    if case == "default gamma":
        out = draw(3, torch.linspace(-5.0, 5.0, 11))
        del out["gamma"]
        return out
    if case == "float64":
        return draw(6, torch.linspace(-4.0, 4.0, 9), dtype=torch.float64, done_p=0.3)
    raise ValueError(case)


def _mass_lost_on_integers(atoms, next_probs, rewards, dones, gamma=0.99):
    n = atoms.shape[0]
    dz = atoms[1] - atoms[0]
    tz = (rewards[:, None] + gamma * (1 - dones[:, None]) * atoms[None, :]).clamp(atoms[0], atoms[-1])
    b = (tz - atoms[0]) / dz
    lower, upper = b.floor(), b.ceil()
    m = torch.zeros_like(next_probs)
    m = m.scatter_add(1, lower.long().clamp(0, n - 1), (upper - b) * next_probs)
    return m.scatter_add(1, upper.long().clamp(0, n - 1), (b - lower) * next_probs)


MISTAKES = {
    "where b_j is an integer, floor(b_j) == ceil(b_j) and both shares are 0: give that atom the whole p'_j": (
        _mass_lost_on_integers
    ),
}


def from_snippet(example, snippet):
    return {
        "atoms": example["atoms"],
        "next_probs": example["next_probs"][None],
        "rewards": example["rewards"].reshape(1),
        "dones": example["dones"].reshape(1),
        "gamma": example["gamma"],
    }


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0], snippet_value["target_pmf"]
