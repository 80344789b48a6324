"""Practice task for card 'ppo-clip': PPO's clipped surrogate, as a loss to minimise."""

import torch
from torch import Tensor

FUNCTION = "ppo_clip_loss"
DOCSTRING = """PPO's clipped surrogate objective L^CLIP (Schulman et al. 2017, Eq. 7), returned as
the LOSS to minimise, -L^CLIP.

Args:
    logp: (N,) log pi_theta(a_t | s_t) of the taken actions under the current policy.
    logp_old: (N,) the same under the policy that collected the data (a constant).
    advantages: (N,) advantage estimates A_t (constants).
    clip_eps: Default 0.2 (the paper; CleanRL).

Returns:
    A 0-dim tensor with the dtype of logp:
        -mean_t min( r_t A_t, clip(r_t, 1 - clip_eps, 1 + clip_eps) A_t ),   r_t = exp(logp - logp_old)

Checked: values and the gradient w.r.t. logp (zero for samples whose clipped term is the min).
"""
REFERENCE = "case analysis: -mean(where(A >= 0, min(r, 1 + eps) A, max(r, 1 - eps) A))"
CASES = [
    "one sample",
    "batch of 16",
    "ratios far outside the clip range",
    "negative advantages only",
    "on-policy (logp == logp_old)",
    "clip_eps 0.1",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("logp",)


def ppo_clip_loss(logp: Tensor, logp_old: Tensor, advantages: Tensor, clip_eps: float = 0.2) -> Tensor:
    ratio = torch.exp(logp - logp_old)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    return -torch.minimum(unclipped, clipped).mean()


def reference(logp, logp_old, advantages, clip_eps=0.2):
    r = (logp - logp_old).exp()
    pessimistic = torch.where(
        advantages >= 0,
        torch.clamp(r, max=1 + clip_eps) * advantages,
        torch.clamp(r, min=1 - clip_eps) * advantages,
    )
    return -pessimistic.mean()


def inputs(gen, case):
    def draw(n, spread=0.3, dtype=torch.float32):
        old = -torch.rand(n, generator=gen, dtype=dtype) * 3 - 0.1
        return {
            # log-probs are <= 0: a perturbed one that lands above 0 is reflected below it
            "logp": -(old + torch.randn(n, generator=gen, dtype=dtype) * spread).abs(),
            "logp_old": old,
            "advantages": torch.randn(n, generator=gen, dtype=dtype),
        }

    if case == "one sample":
        return draw(1)
    if case == "batch of 16":
        return draw(16)
    if case == "ratios far outside the clip range":
        return draw(12, spread=1.5)
    if case == "negative advantages only":
        out = draw(10)
        out["advantages"] = -out["advantages"].abs() - 0.1
        return out
    if case == "on-policy (logp == logp_old)":
        out = draw(6)
        out["logp"] = out["logp_old"].clone()
        return out
    if case == "clip_eps 0.1":
        return {**draw(10), "clip_eps": 0.1}
    if case == "float64":
        return draw(8, dtype=torch.float64)
    raise ValueError(case)


def _max(logp, logp_old, advantages, clip_eps=0.2):
    r = (logp - logp_old).exp()
    return -torch.maximum(r * advantages, r.clamp(1 - clip_eps, 1 + clip_eps) * advantages).mean()


def _clip_advantage(logp, logp_old, advantages, clip_eps=0.2):
    r = (logp - logp_old).exp()
    return -torch.minimum(r * advantages, r * advantages.clamp(1 - clip_eps, 1 + clip_eps)).mean()


MISTAKES = {
    "min, not max: PPO takes the PESSIMISTIC of the clipped and unclipped terms": _max,
    "clip the probability RATIO r, not the advantage": _clip_advantage,
}


def from_snippet(example, snippet):
    ratio = example["ratio"]
    return {
        "logp": ratio.log(),
        "logp_old": torch.zeros_like(ratio),
        "advantages": example["advantages"],
        "clip_eps": example["clip_eps"],
    }


def compare_snippet(practice_value, snippet_value, inputs):
    return -practice_value, snippet_value  # the card's value is the objective L^CLIP itself
