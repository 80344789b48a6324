"""Practice task for card 'dpo': the DPO loss from sequence log-probabilities."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "dpo_loss"
DOCSTRING = """Direct Preference Optimization loss (Rafailov et al. 2023, Eq. 7).

Args:
    policy_chosen_logps, policy_rejected_logps: (N,) log pi_theta(y|x) of the chosen (y_w) and
        rejected (y_l) responses: SEQUENCE log-probs (sums over the response tokens).
    ref_chosen_logps, ref_rejected_logps: (N,) the same under the frozen reference model.
    beta: Default 0.1 (TRL's DPOConfig).

Returns:
    A 0-dim tensor with the dtype of policy_chosen_logps: the MEAN over the N pairs of
        -log sigmoid( beta * [ (pc - rc) - (pr - rr) ] )
    (pc = policy_chosen_logps, rc = ref_chosen_logps, and so on; natural log).
    When the policy equals the reference every margin is 0 and the loss is log 2.

Numerics: sequence log-probs of long responses reach the thousands, so beta * margin can be
+-1000: must stay finite and accurate there (F.logsigmoid, never log(sigmoid(.))).

Checked: values and the gradients w.r.t. the two policy log-prob vectors.
"""
REFERENCE = "F.binary_cross_entropy_with_logits(beta * ((pc - pr) - (rc - rr)), ones)  (TRL's grouping)"
CASES = [
    "one pair",
    "batch of 16",
    "policy equals reference (log 2)",
    "beta 0.5",
    "long sequences (margins in the thousands)",
    "float64",
]
STABILITY = {"long sequences (margins in the thousands)"}
NO_GRAD: set[str] = set()
GRAD = ("policy_chosen_logps", "policy_rejected_logps")


def dpo_loss(
    policy_chosen_logps: Tensor,
    policy_rejected_logps: Tensor,
    ref_chosen_logps: Tensor,
    ref_rejected_logps: Tensor,
    beta: float = 0.1,
) -> Tensor:
    chosen = policy_chosen_logps - ref_chosen_logps
    rejected = policy_rejected_logps - ref_rejected_logps
    return -F.logsigmoid(beta * (chosen - rejected)).mean()


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    logits = beta * ((policy_chosen_logps - policy_rejected_logps) - (ref_chosen_logps - ref_rejected_logps))
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def inputs(gen, case):
    def draw(n, dtype=torch.float32, scale=20.0, spread=3.0):
        ref_c = -torch.rand(n, generator=gen, dtype=dtype) * scale - 1
        ref_r = -torch.rand(n, generator=gen, dtype=dtype) * scale - 1
        return {
            # log-probs are <= 0: a perturbed one that lands above 0 is reflected below it
            "policy_chosen_logps": -(ref_c + torch.randn(n, generator=gen, dtype=dtype) * spread).abs(),
            "policy_rejected_logps": -(ref_r + torch.randn(n, generator=gen, dtype=dtype) * spread).abs(),
            "ref_chosen_logps": ref_c,
            "ref_rejected_logps": ref_r,
        }

    if case == "one pair":
        return draw(1)
    if case == "batch of 16":
        return {**draw(16), "beta": 0.1}
    if case == "policy equals reference (log 2)":
        out = draw(4)
        out["policy_chosen_logps"] = out["ref_chosen_logps"].clone()
        out["policy_rejected_logps"] = out["ref_rejected_logps"].clone()
        return out
    if case == "beta 0.5":
        return {**draw(8), "beta": 0.5}
    if case == "long sequences (margins in the thousands)":
        return {
            "policy_chosen_logps": torch.tensor([-9000.0, -1200.0, -3000.0]),
            "policy_rejected_logps": torch.tensor([-2000.0, -5000.0, -3100.0]),
            "ref_chosen_logps": torch.tensor([-5000.0, -1500.0, -3050.0]),
            "ref_rejected_logps": torch.tensor([-2100.0, -2000.0, -3000.0]),
            "beta": 0.5,
        }
    if case == "float64":
        return draw(8, dtype=torch.float64)
    raise ValueError(case)


def _swapped(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    return reference(policy_rejected_logps, policy_chosen_logps, ref_rejected_logps, ref_chosen_logps, beta)


def _ref_added(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    return reference(policy_chosen_logps, policy_rejected_logps, -ref_chosen_logps, -ref_rejected_logps, beta)


MISTAKES = {
    "chosen and rejected are swapped: the margin is (pc - rc) - (pr - rr)": _swapped,
    "the reference log-probs are SUBTRACTED: implicit reward = beta (log pi - log pi_ref)": _ref_added,
}
