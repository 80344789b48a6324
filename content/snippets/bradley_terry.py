"""Bradley-Terry reward-model loss, from scratch, against F.binary_cross_entropy_with_logits.

L = -mean log sigma(r_w - r_l)   over preference pairs (chosen w, rejected l), natural log.
sigma(r_w - r_l) is the model's P(w > l); the loss is the BCE of that logit with label 1
(Christiano et al. 2017; Ouyang et al. 2022, InstructGPT). Only reward *differences* enter,
so the reward is identified up to a per-prompt shift (hence RMs are normalised afterwards).
-log sigma(d) is computed as softplus(-d), finite for any d.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.binary_cross_entropy_with_logits(r_w - r_l, ones)"


def example():
    return {
        "rewards_chosen": torch.tensor([1.5, 0.2]),
        "rewards_rejected": torch.tensor([0.5, 0.7]),
    }


def problem(rng: random.Random):
    n = 2
    return {
        "rewards_chosen": torch.tensor([rng.randint(-20, 20) / 10 for _ in range(n)]),
        "rewards_rejected": torch.tensor([rng.randint(-20, 20) / 10 for _ in range(n)]),
    }


def loss(rewards_chosen, rewards_rejected):
    diff = rewards_chosen - rewards_rejected
    p_chosen_preferred = torch.sigmoid(diff)
    per_pair = F.softplus(-diff)  # -log sigma(d)
    # Adding the same constant to both rewards of a pair changes nothing: BT sees differences only.
    shifted = F.softplus(-((rewards_chosen + 5.0) - (rewards_rejected + 5.0)))
    return {
        "diff": diff,
        "p_chosen_preferred": p_chosen_preferred,
        "per_pair": per_pair,
        "loss_after_shift_by_5": shifted.mean(),
        # d/d r_w of -log sigma(diff) = -(1 - sigma(diff)): big push when the RM ranks the pair wrong.
        "grad_rewards_chosen": -(1 - p_chosen_preferred) / diff.numel(),
        "value": per_pair.mean(),
    }


def reference(rewards_chosen, rewards_rejected):
    diff = rewards_chosen - rewards_rejected
    return F.binary_cross_entropy_with_logits(diff, torch.ones_like(diff))


def given(rewards_chosen, rewards_rejected):
    """-ln sigma(x) for each pair's reward difference and its negative."""
    xs = set()
    for d in (rewards_chosen - rewards_rejected).tolist():
        d = round(d, 6)
        xs.update({d, -d})
    return {f"-ln σ({x:g})": round(float(F.softplus(torch.tensor(-x))), 4) for x in sorted(xs)}


def mistakes(rewards_chosen, rewards_rejected):
    diff = rewards_chosen - rewards_rejected
    return {
        "chosen and rejected swapped (that is −log σ(r_l − r_w))": F.softplus(diff).mean(),
        "that is the sum over pairs; the card asks for the mean": F.softplus(-diff).sum(),
        "wrong sign: the loss is −log σ(d), which is positive": -F.softplus(-diff).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print("given:", given(**inputs))
