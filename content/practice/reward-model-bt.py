"""Practice task for card 'reward-model-bt': the Bradley-Terry reward-model loss."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "bradley_terry_loss"
DOCSTRING = """Bradley-Terry pairwise reward-model loss (Christiano et al. 2017; InstructGPT).

Args:
    rewards_chosen: (N,) scalar rewards r_w of the preferred responses.
    rewards_rejected: (N,) rewards r_l of the rejected responses, same dtype.

Returns:
    A 0-dim tensor with the dtype of rewards_chosen: the MEAN over the N pairs of
        -log sigmoid(r_w - r_l)        (natural log)

Numerics: must stay finite and accurate for reward margins of +-1000 (confidently wrong pairs):
sigmoid(-1000) is exactly 0 in float32, so use F.logsigmoid or softplus, never log(sigmoid(.)).

Checked: values and the gradients w.r.t. both reward vectors.
"""
REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits(r_w - r_l, ones)"
BUILTIN = ("binary_cross_entropy_with_logits",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one pair",
    "batch of 16",
    "tied rewards (log 2)",
    "margins of +-1000",
    "float64",
]
STABILITY = {"margins of +-1000"}
NO_GRAD: set[str] = set()
GRAD = ("rewards_chosen", "rewards_rejected")


def bradley_terry_loss(rewards_chosen: Tensor, rewards_rejected: Tensor) -> Tensor:
    return -F.logsigmoid(rewards_chosen - rewards_rejected).mean()


def reference(rewards_chosen, rewards_rejected):
    diff = rewards_chosen - rewards_rejected
    return F.binary_cross_entropy_with_logits(diff, torch.ones_like(diff))


def inputs(gen, case):
    def draw(n, dtype=torch.float32, scale=1.5):
        return {
            "rewards_chosen": torch.randn(n, generator=gen, dtype=dtype) * scale,
            "rewards_rejected": torch.randn(n, generator=gen, dtype=dtype) * scale,
        }

    if case == "one pair":
        return draw(1)
    if case == "batch of 16":
        return draw(16)
    if case == "tied rewards (log 2)":
        out = draw(5)
        out["rewards_rejected"] = out["rewards_chosen"].clone()
        return out
    if case == "margins of +-1000":
        return {
            "rewards_chosen": torch.tensor([-500.0, 500.0, 0.0, -1000.0]),
            "rewards_rejected": torch.tensor([500.0, -500.0, 1000.0, 0.0]),
        }
    if case == "float64":
        return draw(8, dtype=torch.float64)
    raise ValueError(case)


def _swapped(rewards_chosen, rewards_rejected):
    return reference(rewards_rejected, rewards_chosen)


MISTAKES = {
    "chosen and rejected are swapped: the loss is -log sigmoid(r_chosen - r_rejected)": _swapped,
}
