"""Practice task for card 'orpo': the ORPO loss (SFT + odds-ratio term), reference-free."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "orpo_loss"
DOCSTRING = """ORPO loss (Hong, Lee & Thorne 2024, Eqs. 2-7; TRL ORPOTrainer). No reference model.

Args:
    policy_chosen_logps: (N,) AVERAGE per-token log-probs of the chosen responses (< 0),
        so P_w = exp(policy_chosen_logps) is the length-normalised likelihood, in (0, 1).
    policy_rejected_logps: (N,) the same for the rejected responses.
    lambda_or: weight of the odds-ratio term. Default 0.1 (the paper; TRL's ORPOConfig calls it beta).

Returns:
    A 0-dim tensor with the dtype of policy_chosen_logps:
        mean(-policy_chosen_logps) + lambda_or * mean( -log sigmoid( log odds(P_w) - log odds(P_l) ) )
    with log odds(P) = log(P / (1 - P)) = logp - log(1 - exp(logp))   (natural log).

Numerics: must stay finite and accurate for very unlikely responses (average log-probs down
to -200, where exp underflows to 0 in float32): compute the log-odds in log space,
logp - log1p(-exp(logp)) (or log(-expm1(logp))), and use logsigmoid.

Checked: values and the gradients w.r.t. both log-prob vectors.
"""
REFERENCE = "float64: -mean(logp_w) + lambda * BCE-with-logits(log-odds difference via log(-expm1))"
CASES = [
    "one pair",
    "batch of 16",
    "lambda 0.5",
    "confident responses (log-probs near 0)",
    "very unlikely responses (log-probs down to -200)",
    "float64",
]
STABILITY = {"very unlikely responses (log-probs down to -200)"}
NO_GRAD: set[str] = set()
GRAD = ("policy_chosen_logps", "policy_rejected_logps")


def orpo_loss(policy_chosen_logps: Tensor, policy_rejected_logps: Tensor, lambda_or: float = 0.1) -> Tensor:
    def log_odds(logp: Tensor) -> Tensor:
        return logp - torch.log1p(-torch.exp(logp))

    ratio = log_odds(policy_chosen_logps) - log_odds(policy_rejected_logps)
    return -policy_chosen_logps.mean() - lambda_or * F.logsigmoid(ratio).mean()


def reference(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    w, l = policy_chosen_logps.double(), policy_rejected_logps.double()
    log_or = (w - torch.log(-torch.expm1(w))) - (l - torch.log(-torch.expm1(l)))
    or_loss = F.binary_cross_entropy_with_logits(log_or, torch.ones_like(log_or))
    return (-w.mean() + lambda_or * or_loss).to(policy_chosen_logps.dtype)


def inputs(gen, case):
    def draw(n, lo=-3.0, hi=-0.1, dtype=torch.float32):
        return {
            "policy_chosen_logps": lo + torch.rand(n, generator=gen, dtype=dtype) * (hi - lo),
            "policy_rejected_logps": lo + torch.rand(n, generator=gen, dtype=dtype) * (hi - lo),
        }

    if case == "one pair":
        return draw(1)
    if case == "batch of 16":
        return draw(16)
    if case == "lambda 0.5":
        return {**draw(8), "lambda_or": 0.5}
    if case == "confident responses (log-probs near 0)":
        return draw(6, lo=-0.05, hi=-0.01)
    if case == "very unlikely responses (log-probs down to -200)":
        return {
            "policy_chosen_logps": torch.tensor([-200.0, -1.0, -120.0]),
            "policy_rejected_logps": torch.tensor([-0.5, -180.0, -150.0]),
        }
    if case == "float64":
        return draw(8, dtype=torch.float64)
    raise ValueError(case)


def _log_probs_as_odds(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    ratio = policy_chosen_logps - policy_rejected_logps
    return -policy_chosen_logps.mean() - lambda_or * F.logsigmoid(ratio).mean()


def _no_sft(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    return reference(policy_chosen_logps, policy_rejected_logps, lambda_or) + policy_chosen_logps.mean()


MISTAKES = {
    "that is the log-PROBABILITY ratio: ORPO uses log odds, logp - log(1 - exp(logp))": _log_probs_as_odds,
    "the SFT term -mean(log P_w) is part of the ORPO loss": _no_sft,
}
