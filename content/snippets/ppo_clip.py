"""PPO clipped surrogate objective L^CLIP, from scratch, against a per-sample case analysis.

L^CLIP = mean_t min(r_t A_t, clip(r_t, 1 - eps, 1 + eps) A_t),  r_t = pi_theta(a|s) / pi_old(a|s)
       = exp(logp - logp_old)  (Schulman et al., 2017, Eq. 7; eps = 0.2 in the paper and CleanRL).
L^CLIP is MAXIMISED: the loss is -L^CLIP, and the full PPO loss (Eq. 9) is
-L^CLIP + c1 * value_loss - c2 * entropy (CleanRL: c1 = 0.5, c2 = 0.01).
The inputs give the ratio directly so the numbers stay hand-workable.
Reference, a second route: for A >= 0 the term is min(r, 1 + eps) A; for A < 0 it is
max(r, 1 - eps) A (the clip only ever removes the *optimistic* side).
"""

import random

import torch

REFERENCE = "case analysis: min(r, 1+eps)A if A >= 0 else max(r, 1-eps)A"


def example():
    return {
        "ratio": torch.tensor([1.5, 0.5, 0.7, 1.1]),
        "advantages": torch.tensor([2.0, 1.0, -1.0, -2.0]),
        "clip_eps": 0.2,
    }


def problem(rng: random.Random):
    n = 3
    return {
        "ratio": torch.tensor([rng.choice([0.5, 0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 1.3, 1.5]) for _ in range(n)]),
        "advantages": torch.tensor([rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0]) for _ in range(n)]),
        "clip_eps": 0.2,
    }


def loss(ratio, advantages, clip_eps=0.2):
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    per_sample = torch.minimum(unclipped, clipped)  # pessimistic: the lower of the two
    objective = per_sample.mean()
    return {
        "unclipped_rA": unclipped,
        "clipped_rA": clipped,
        "per_sample_min": per_sample,
        # 1 where the clipped branch is the min AND differs: that sample's gradient is zero
        "clip_active": (clipped < unclipped - 1e-6).float(),
        "loss_to_minimise": -objective,
        "value": objective,
    }


def mistakes(ratio, advantages, clip_eps=0.2):
    clipped = torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * advantages
    return {
        "that is the unclipped surrogate mean(r A): no clipping": (ratio * advantages).mean(),
        "that is the clipped term alone; PPO takes the min of the clipped and unclipped terms": clipped.mean(),
        "that takes the max (optimistic); the min keeps the pessimistic bound": torch.maximum(ratio * advantages, clipped).mean(),
        "that is the loss -L^CLIP; the card asks for the objective L^CLIP": -torch.minimum(ratio * advantages, clipped).mean(),
    }


def reference(ratio, advantages, clip_eps=0.2):
    terms = [
        min(r, 1 + clip_eps) * a if a >= 0 else max(r, 1 - clip_eps) * a
        for r, a in zip(ratio.tolist(), advantages.tolist())
    ]
    return torch.tensor(sum(terms) / len(terms))


def plot():
    """L^CLIP for one sample over the ratio r, for A > 0 and A < 0 (Schulman et al. 2017, Fig. 1)."""
    eps = 0.2
    r = torch.linspace(0.0, 2.0, 201)
    panels = []
    for sign, word in ((1.0, "A > 0 (A = +1)"), (-1.0, "A < 0 (A = -1)")):
        a = torch.tensor(sign)
        clipped = torch.minimum(r * a, torch.clamp(r, 1 - eps, 1 + eps) * a)
        panels.append({
            "title": f"PPO clipped objective, {word}, eps = {eps}",
            "x_label": "ratio r = pi / pi_old",
            "y_label": "objective (maximised)",
            "series": [
                {"name": "unclipped rA", "x": r.tolist(), "y": (r * a).tolist()},
                {"name": "L^CLIP = min(rA, clip(r) A)", "x": r.tolist(), "y": clipped.tolist()},  # drawn on top
            ],
            "note": "flat (no gradient) for r > 1 + eps: no reward for moving further" if sign > 0
            else "flat (no gradient) for r < 1 - eps; a ratio that moved the wrong way is NOT clipped",
        })
    return panels


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
