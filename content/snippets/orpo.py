"""ORPO loss, from scratch via odds, against torch.logit + F.binary_cross_entropy_with_logits.

L = L_SFT + lambda * L_OR,   L_SFT = -log P(y_w|x),   L_OR = -log sigma( log odds(y_w) - log odds(y_l) )
with odds(y) = P(y|x) / (1 - P(y|x)) and P the *length-normalised* likelihood
exp(mean token log-prob) (Hong, Lee & Thorne 2024, ORPO, Eqs. 2-7; TRL ORPOTrainer).
No reference model. lambda = 0.1 (paper; TRL's ORPOConfig calls it `beta`). Natural log.
Inputs are average per-token log-probs, so P is in (0, 1) and the odds are finite.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "-log P_w + lambda * BCE-with-logits(logit(P_w) - logit(P_l), 1)"


def example():
    return {
        "policy_chosen_logps": torch.tensor([math.log(0.5)]),
        "policy_rejected_logps": torch.tensor([math.log(0.25)]),
        "lambda_or": 0.1,
    }


def problem(rng: random.Random):
    p_w, p_l = rng.sample([0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 0.8], 2)
    return {
        "policy_chosen_logps": torch.tensor([math.log(p_w)]),
        "policy_rejected_logps": torch.tensor([math.log(p_l)]),
        "lambda_or": rng.choice([0.1, 0.1, 0.2, 0.5]),
    }


def loss(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    p_w, p_l = torch.exp(policy_chosen_logps), torch.exp(policy_rejected_logps)
    odds_w, odds_l = p_w / (1 - p_w), p_l / (1 - p_l)
    odds_ratio = odds_w / odds_l
    log_odds_ratio = torch.log(odds_ratio)
    # -log sigma(log OR) = -log(OR / (1 + OR)) = log(1 + 1/OR)
    or_loss = torch.log(1 + 1 / odds_ratio)
    sft_loss = -policy_chosen_logps
    per_pair = sft_loss + lambda_or * or_loss
    return {
        "p_chosen": p_w,
        "p_rejected": p_l,
        "odds_chosen": odds_w,
        "odds_rejected": odds_l,
        "log_odds_ratio": log_odds_ratio,
        "sft_loss": sft_loss.mean(),
        "or_loss": or_loss.mean(),
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    log_or = torch.logit(policy_chosen_logps.exp()) - torch.logit(policy_rejected_logps.exp())
    or_loss = F.binary_cross_entropy_with_logits(log_or, torch.ones_like(log_or))
    return -policy_chosen_logps.mean() + lambda_or * or_loss


def _ln(x):
    return f"ln {x:.4g}"


def given(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    """P = e^(logp) for both responses, and the natural logs a hand solver needs: the odds-ratio
    term's argument and two decoys (the reversed ratio and the probability ratio)."""
    p_w, p_l = float(policy_chosen_logps.exp()[0]), float(policy_rejected_logps.exp()[0])
    odds_ratio = (p_w / (1 - p_w)) / (p_l / (1 - p_l))
    out = {f"e^({float(policy_chosen_logps[0]):.4f})": round(p_w, 4),
           f"e^({float(policy_rejected_logps[0]):.4f})": round(p_l, 4)}
    for x in sorted({round(1 + 1 / odds_ratio, 6), round(1 + odds_ratio, 6), round(1 + p_l / p_w, 6)}):
        out[_ln(x)] = round(math.log(x), 4)
    return out


def mistakes(policy_chosen_logps, policy_rejected_logps, lambda_or=0.1):
    p_w, p_l = torch.exp(policy_chosen_logps), torch.exp(policy_rejected_logps)
    odds_ratio = (p_w / (1 - p_w)) / (p_l / (1 - p_l))
    nll = -policy_chosen_logps
    or_term = torch.log1p(1 / odds_ratio)
    return {
        "forgot the SFT term −log P(y_w): ORPO adds the NLL of the chosen response": (lambda_or * or_term).mean(),
        "probability ratio instead of the odds ratio": (nll + lambda_or * torch.log1p(p_l / p_w)).mean(),
        "λ on the NLL instead of on the odds-ratio term": (lambda_or * nll + or_term).mean(),
        "chosen and rejected swapped in the odds ratio": (nll + lambda_or * torch.log1p(odds_ratio)).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
