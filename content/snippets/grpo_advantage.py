"""GRPO group-normalised advantage, from scratch, against F.layer_norm rescaled to the sample std.

A_i = (r_i - mean(r)) / std(r)  over the G outputs sampled for one prompt (Shao et al. 2024,
DeepSeekMath, outcome supervision), broadcast to every token of output i.
Which std? The paper writes std(r) without saying. TRL's GRPOTrainer (scale_rewards="group", the
default) uses its own nanstd (trl/trainer/utils.py), which applies Bessel's correction, i.e. the
*sample* std (divides by G - 1) - the same number as torch.std - and adds 1e-4 to it. This card
follows TRL (without the 1e-4).
F.layer_norm uses the *population* std (divides by G), so the reference rescales it by
sqrt((G - 1) / G). The advantages sum to zero within a group, and a group whose rewards are all
equal gets zero advantage (no learning signal) - the case DAPO's dynamic sampling filters out.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.layer_norm(rewards, (G,), eps=0) * sqrt((G-1)/G), first output"


def example():
    return {"rewards": torch.tensor([1.0, 0.0, 0.0, 0.0])}


def problem(rng: random.Random):
    g = 4
    while True:
        if rng.random() < 0.25:  # verifiable 0/1 correctness rewards, as in R1-style RLVR
            rewards = [float(rng.randint(0, 1)) for _ in range(g)]
        else:  # graded rewards (partial credit, a reward model's scores)
            rewards = [rng.randint(0, 6) / 2 for _ in range(g)]
        # An all-equal group has std 0 (and zero advantage); skip outputs sitting at the mean too,
        # so that typing 0 is not a winning strategy.
        if len(set(rewards)) > 1 and rewards[0] * g != sum(rewards):
            return {"rewards": torch.tensor(rewards)}


def loss(rewards):
    g = rewards.numel()
    mean = rewards.sum() / g
    deviation = rewards - mean
    sample_std = torch.sqrt((deviation**2).sum() / (g - 1))
    population_std = torch.sqrt((deviation**2).sum() / g)
    advantages = deviation / sample_std
    all_equal = torch.full_like(rewards, float(rewards[0]))
    all_equal_dev = all_equal - all_equal.mean()
    return {
        "mean": mean,
        "deviation": deviation,
        "sample_std": sample_std,
        "advantages": advantages,
        "advantages_population_std": deviation / population_std,
        "sum_of_advantages": advantages.sum(),
        "trl_all_equal_group_advantages": all_equal_dev / (all_equal.std() + 1e-4),
        "value": advantages[0],
    }


def reference(rewards):
    g = rewards.numel()
    population_normalised = F.layer_norm(rewards, (g,), eps=0.0)
    return population_normalised[0] * math.sqrt((g - 1) / g)


def given(rewards):
    """The square roots a hand solver needs: of the sample and of the population variance."""
    g = rewards.numel()
    ss = float(((rewards - rewards.mean()) ** 2).sum())
    out = {}
    for var in sorted({round(ss / (g - 1), 6), round(ss / g, 6)} - {0, 1}):  # √0 and √1 need no table
        out[f"√{var:.4g}"] = round(math.sqrt(var), 4)
    return out


def mistakes(rewards):
    g = rewards.numel()
    dev = rewards - rewards.mean()
    pop = torch.sqrt((dev**2).mean())
    return {
        "population std (÷G); the card asks for the sample std (÷(G − 1)), as TRL computes it": dev[0] / pop,
        "no std division: that is Dr. GRPO's advantage, r − mean": dev[0],
        "that is RLOO's leave-one-out advantage, r₁ − mean of the others": dev[0] * g / (g - 1),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
