"""Practice task for card 'rloo-advantage': RLOO's leave-one-out advantages."""

import torch
from torch import Tensor

FUNCTION = "rloo_advantages"
DOCSTRING = """RLOO advantages (Ahmadian et al. 2024; Kool et al. 2019).

Args:
    rewards: (B, k) scalar rewards of k completions sampled for each of B prompts (k >= 2).

Returns:
    (B, k), the dtype of rewards: for each completion, its reward minus the MEAN reward of the
    OTHER k - 1 completions of the same prompt. No division by a standard deviation.

Checked: values and the gradient w.r.t. rewards.
"""
REFERENCE = "k/(k-1) * (rewards - rewards.mean(dim=1, keepdim=True))  (the mean-centred identity)"
CASES = ["one prompt, k = 4", "8 prompts, k = 2", "binary rewards, k = 8", "k = 3, large rewards", "float64"]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("rewards",)


def rloo_advantages(rewards: Tensor) -> Tensor:
    k = rewards.shape[1]
    baseline = (rewards.sum(dim=1, keepdim=True) - rewards) / (k - 1)
    return rewards - baseline


def reference(rewards):
    k = rewards.shape[1]
    return k / (k - 1) * (rewards - rewards.mean(dim=1, keepdim=True))


def inputs(gen, case):
    if case == "one prompt, k = 4":
        return {"rewards": torch.randn(1, 4, generator=gen)}
    if case == "8 prompts, k = 2":
        return {"rewards": torch.randn(8, 2, generator=gen)}
    if case == "binary rewards, k = 8":
        return {"rewards": torch.randint(0, 2, (4, 8), generator=gen).float()}
    if case == "k = 3, large rewards":
        return {"rewards": torch.randn(4, 3, generator=gen) * 100}
    if case == "float64":
        return {"rewards": torch.randn(3, 5, generator=gen, dtype=torch.float64)}
    raise ValueError(case)


def from_snippet(example, snippet):
    return {"rewards": example["rewards"][None]}


def compare_snippet(ours, theirs, inputs):
    return ours[0, 0], theirs  # the snippet grades the first completion's advantage


def _with_self(rewards):
    return rewards - rewards.mean(dim=1, keepdim=True)


def _std_normalised(rewards):
    centred = rewards - rewards.mean(dim=1, keepdim=True)
    return centred / rewards.std(dim=1, keepdim=True)


MISTAKES = {
    "the baseline includes the sample itself: use the mean of the OTHER k - 1 rewards": _with_self,
    "divided by the std: that is GRPO, RLOO does not normalise": _std_normalised,
}
