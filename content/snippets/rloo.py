"""RLOO (REINFORCE leave-one-out) advantage, from scratch, against the mean-centred closed form.

k completions y_1..y_k of one prompt get scalar rewards r_i (`rewards`; in RLHF r_i already
includes the sequence-level KL penalty). Each sample's baseline is the mean reward of the OTHER
k - 1 samples (Kool et al. 2019; Ahmadian et al. 2024, "Back to Basics"):
  b_i = (S - r_i) / (k - 1),  S = sum_j r_j,      A_i = r_i - b_i
The baseline does not depend on y_i, so the REINFORCE estimate stays unbiased (no std division,
no critic). Identity used as the reference: r_i - (S - r_i)/(k-1) = k/(k-1) * (r_i - mean(r)),
i.e. RLOO is GRPO's mean-centring scaled by k/(k-1), without the std normalisation.
The graded value is A_1, the advantage of the first completion.
"""

import random

import torch

REFERENCE = "k/(k-1) * (r - r.mean()), first completion (the mean-centred identity)"


def example():
    return {"rewards": torch.tensor([1.0, 0.0, 0.5, 0.5])}


def problem(rng: random.Random):
    k = rng.choice([3, 4, 5])
    while True:
        rewards = [rng.randint(0, 6) / 2 for _ in range(k)]
        if len(set(rewards)) > 1:
            return {"rewards": torch.tensor(rewards)}


def loss(rewards):
    k = rewards.numel()
    total = rewards.sum()
    baseline = (total - rewards) / (k - 1)  # mean of the other k - 1 rewards
    advantages = rewards - baseline
    return {
        "sum": total,
        "leave_one_out_baseline": baseline,
        "advantages": advantages,
        "sum_of_advantages": advantages.sum(),
        "value": advantages[0],
    }


def reference(rewards):
    k = rewards.numel()
    return (k / (k - 1) * (rewards - rewards.mean()))[0]


def mistakes(rewards):
    dev = rewards - rewards.mean()
    return {
        "baseline includes the sample itself (r − mean of all k): the leave-one-out mean excludes r_i": dev[0],
        "divided by the group std: that is GRPO; RLOO does not normalise by std": dev[0] / rewards.std(),
        "baseline divided by k instead of k − 1": (rewards - (rewards.sum() - rewards) / rewards.numel())[0],
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
