"""Practice task for card 'cdpo': conservative DPO (label smoothing)."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "cdpo_loss"
DOCSTRING = """Conservative DPO (Mitchell 2023; TRL DPOConfig(label_smoothing=eps), loss_type="sigmoid").

Args:
    policy_chosen_logps, policy_rejected_logps: (N,) SEQUENCE log-probs under the policy.
    ref_chosen_logps, ref_rejected_logps: (N,) the same under the frozen reference.
    beta: Default 0.1.
    label_smoothing: eps in [0, 0.5), the probability that a preference label is flipped.

Returns:
    A 0-dim tensor with the dtype of policy_chosen_logps: the MEAN over pairs of
        (1 - eps) * (-log sigmoid(beta h)) + eps * (-log sigmoid(-beta h)),
        h = (pc - rc) - (pr - rr)                     (natural log)

Numerics: margins can be in the thousands: stay finite (F.logsigmoid / softplus).

Checked: values and the gradients w.r.t. the two policy log-prob vectors.
"""
REFERENCE = "(1 - eps) * DPO(pair) + eps * DPO(pair swapped), each via BCE-with-logits"
CASES = ["one pair", "batch of 16, eps 0.1", "eps 0 (plain DPO)", "long sequences", "float64"]
STABILITY = {"long sequences"}
NO_GRAD: set[str] = set()
GRAD = ("policy_chosen_logps", "policy_rejected_logps")


def cdpo_loss(
    policy_chosen_logps: Tensor,
    policy_rejected_logps: Tensor,
    ref_chosen_logps: Tensor,
    ref_rejected_logps: Tensor,
    beta: float = 0.1,
    label_smoothing: float = 0.0,
) -> Tensor:
    margin = beta * ((policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps))
    eps = label_smoothing
    return ((1 - eps) * -F.logsigmoid(margin) + eps * -F.logsigmoid(-margin)).mean()


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
              beta=0.1, label_smoothing=0.0):
    def dpo(pc, pr, rc, rr):
        logits = beta * ((pc - pr) - (rc - rr))
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))

    kept = dpo(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    swapped = dpo(policy_rejected_logps, policy_chosen_logps, ref_rejected_logps, ref_chosen_logps)
    return (1 - label_smoothing) * kept + label_smoothing * swapped


def inputs(gen, case):
    def draw(n, dtype=torch.float32):
        ref_c = -torch.rand(n, generator=gen, dtype=dtype) * 20 - 1
        ref_r = -torch.rand(n, generator=gen, dtype=dtype) * 20 - 1
        return {
            # log-probs are <= 0: a perturbed one that lands above 0 is reflected below it
            "policy_chosen_logps": -(ref_c + torch.randn(n, generator=gen, dtype=dtype) * 3).abs(),
            "policy_rejected_logps": -(ref_r + torch.randn(n, generator=gen, dtype=dtype) * 3).abs(),
            "ref_chosen_logps": ref_c,
            "ref_rejected_logps": ref_r,
        }

    if case == "one pair":
        return {**draw(1), "label_smoothing": 0.2}
    if case == "batch of 16, eps 0.1":
        return {**draw(16), "beta": 0.1, "label_smoothing": 0.1}
    if case == "eps 0 (plain DPO)":
        return {**draw(8), "label_smoothing": 0.0}
    if case == "long sequences":
        return {
            "policy_chosen_logps": torch.tensor([-9000.0, -1200.0]),
            "policy_rejected_logps": torch.tensor([-2000.0, -5000.0]),
            "ref_chosen_logps": torch.tensor([-5000.0, -1500.0]),
            "ref_rejected_logps": torch.tensor([-2100.0, -2000.0]),
            "beta": 0.5,
            "label_smoothing": 0.1,
        }
    if case == "float64":
        return {**draw(8, dtype=torch.float64), "label_smoothing": 0.3}
    raise ValueError(case)


def _robust(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
            beta=0.1, label_smoothing=0.0):
    m = beta * ((policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps))
    eps = label_smoothing
    return (((1 - eps) * -F.logsigmoid(m) - eps * -F.logsigmoid(-m)) / (1 - 2 * eps)).mean()


def _swapped_eps(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
                 beta=0.1, label_smoothing=0.0):
    return reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps,
                     beta, 1 - label_smoothing)


MISTAKES = {
    "that is rDPO (debiased, divided by 1 - 2 eps); cDPO is the plain expectation over flips": _robust,
    "eps and 1 - eps swapped: the label is kept with probability 1 - eps": _swapped_eps,
}
