"""Reward-model loss with a preference margin (Llama 2), from scratch, against BCE-with-logits.

L = -mean log sigma(r_w - r_l - m)   (Touvron et al. 2023, Llama 2, Eq. 2; TRL RewardTrainer uses the
same form when the data carry a "margin" column). m is a discrete function of the annotators'
rating: larger for "significantly better" pairs, 0 for "negligibly better / unsure" (Llama 2's
"large" margins are 3 / 2 / 1 / 0). The chosen reward must beat the rejected one by at least ~m
before the loss flattens, so clearly separable pairs get pushed further apart. m = 0 is plain
Bradley-Terry. Natural log; -log sigma(x) computed as softplus(-x).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits(r_w - r_l - m, ones)"


def example():
    return {
        "rewards_chosen": torch.tensor([2.0, 0.5]),
        "rewards_rejected": torch.tensor([0.5, 0.0]),
        "margin": torch.tensor([3.0, 1.0]),
    }


def problem(rng: random.Random):
    n = 2
    return {
        "rewards_chosen": torch.tensor([rng.randint(-10, 20) / 10 for _ in range(n)]),
        "rewards_rejected": torch.tensor([rng.randint(-10, 20) / 10 for _ in range(n)]),
        "margin": torch.tensor([float(rng.choice([1, 2, 3])) for _ in range(n)]),
    }


def loss(rewards_chosen, rewards_rejected, margin):
    diff = rewards_chosen - rewards_rejected
    logit = diff - margin
    per_pair = F.softplus(-logit)
    return {
        "diff": diff,
        "logit_minus_margin": logit,
        "per_pair": per_pair,
        "loss_without_margin": F.softplus(-diff).mean(),
        "value": per_pair.mean(),
    }


def reference(rewards_chosen, rewards_rejected, margin):
    logit = rewards_chosen - rewards_rejected - margin
    return F.binary_cross_entropy_with_logits(logit, torch.ones_like(logit))


def given(rewards_chosen, rewards_rejected, margin):
    xs = set()
    for d, m in zip((rewards_chosen - rewards_rejected).tolist(), margin.tolist()):
        xs.update({round(d - m, 6), round(d + m, 6), round(d, 6)})
    return {f"-ln σ({x:g})": round(float(F.softplus(torch.tensor(-x))), 4) for x in sorted(xs)}


def mistakes(rewards_chosen, rewards_rejected, margin):
    diff = rewards_chosen - rewards_rejected
    return {
        "margin added instead of subtracted: the chosen reward must beat the rejected one BY m": F.softplus(-(diff + margin)).mean(),
        "forgot the margin (that is plain Bradley–Terry)": F.softplus(-diff).mean(),
        "chosen and rejected swapped": F.softplus(diff + margin).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
