"""Practice task for card 'grpo-advantage': GRPO's group-normalised advantages."""

import torch
from torch import Tensor

FUNCTION = "grpo_advantages"
DOCSTRING = """GRPO's group-relative advantages (Shao et al. 2024, DeepSeekMath, outcome supervision),
as TRL's GRPOTrainer computes them.

Args:
    rewards: (B, G) rewards of G sampled outputs for each of B prompts (one row = one group).
    eps: added to the std. Default 1e-4 (TRL). With eps = 0 this is the card's formula.

Returns:
    (B, G) advantages, dtype of rewards, normalised WITHIN each row (group):
        A_ij = (r_ij - mean_j r_ij) / (std_j r_ij + eps)
    with the SAMPLE std (divide by G - 1), as torch.std does. A group whose rewards are all
    equal gets advantage 0 (no learning signal) -- not nan.

Checked: values and the gradient w.r.t. rewards.
"""
REFERENCE = "(r - r.mean(-1)) / (sqrt(torch.var(r, dim=-1, correction=1)) + eps)"
CASES = [
    "one group of 4 (0/1 rewards)",
    "8 prompts x 16 samples",
    "a group of 2",
    "groups with all-equal rewards",
    "eps 0",
    "float64",
]
STABILITY = {"groups with all-equal rewards"}
NO_GRAD = {"groups with all-equal rewards"}  # sqrt'(0): the reference's own gradient is nan there
GRAD = ("rewards",)


def grpo_advantages(rewards: Tensor, eps: float = 1e-4) -> Tensor:
    g = rewards.shape[1]
    mean = rewards.sum(dim=1, keepdim=True) / g
    deviation = rewards - mean
    std = torch.sqrt((deviation**2).sum(dim=1, keepdim=True) / (g - 1))
    return deviation / (std + eps)


def reference(rewards, eps=1e-4):
    mean = rewards.mean(dim=-1, keepdim=True)
    std = torch.sqrt(torch.var(rewards, dim=-1, correction=1, keepdim=True))
    return (rewards - mean) / (std + eps)


def inputs(gen, case):
    if case == "one group of 4 (0/1 rewards)":
        r = torch.tensor([[1.0, 0.0, 0.0, 1.0]])
        r[0, torch.randint(0, 4, (1,), generator=gen)] = 1.0
        return {"rewards": r}
    if case == "8 prompts x 16 samples":
        return {"rewards": torch.randn(8, 16, generator=gen)}
    if case == "a group of 2":
        return {"rewards": torch.randn(3, 2, generator=gen)}
    if case == "groups with all-equal rewards":
        r = torch.randn(3, 4, generator=gen)
        r[0] = 1.0
        r[2] = 0.0
        return {"rewards": r}
    if case == "eps 0":
        return {"rewards": torch.randn(4, 6, generator=gen) * 3, "eps": 0.0}
    if case == "float64":
        return {"rewards": torch.randn(5, 8, generator=gen, dtype=torch.float64)}
    raise ValueError(case)


def _population_std(rewards, eps=1e-4):
    mean = rewards.mean(dim=-1, keepdim=True)
    return (rewards - mean) / (rewards.std(dim=-1, correction=0, keepdim=True) + eps)


def _whole_batch(rewards, eps=1e-4):
    return (rewards - rewards.mean()) / (rewards.std() + eps)


MISTAKES = {
    "population std (divide by G); the card asks for the sample std (divide by G - 1), as TRL computes it": _population_std,
    "normalised over the whole batch: GRPO normalises within each group (row)": _whole_batch,
}


def from_snippet(example, snippet):
    return {"rewards": example["rewards"][None], "eps": 0.0}


def compare_snippet(practice_value, snippet_value, inputs):
    return practice_value[0, 0], snippet_value  # the card asks for the first output's advantage
