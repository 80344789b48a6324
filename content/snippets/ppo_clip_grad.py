"""Gradient of the PPO clipped loss for one sample, from scratch, against torch autograd.

Loss for one sample: L = -min(r A, clip(r, 1 - eps, 1 + eps) A),  r = exp(logp - logp_old)
(Schulman et al., 2017, Eq. 7, negated because PPO maximises L^CLIP). Since dr/dlogp = r:
  dL/dlogp = -r A   when the unclipped term is the min (gradient flows),
           = 0      when the clipped term is the min and is constant in r, which happens
                    only if r > 1 + eps with A > 0, or r < 1 - eps with A < 0.
If the ratio has moved the WRONG way (r < 1 - eps with A > 0, or r > 1 + eps with A < 0)
the min keeps the unclipped term and the gradient still flows: clipping is one-sided.
Reference: autograd of the same loss through logp (logp_old = 0, so logp = log r).
"""

import random

import torch

REFERENCE = "torch.autograd.grad of -min(rA, clamp(r)A) w.r.t. logp"


def example():
    return {"ratio": torch.tensor(0.5), "advantages": torch.tensor(2.0), "clip_eps": 0.2}


def problem(rng: random.Random):
    # ratios never sit exactly on 1 +- eps, where the min has a kink. The zero-gradient case is
    # drawn on ~6% of problems only, so typing 0 is not a strategy; the wrong-way case is common.
    adv = rng.choice([-2.0, -1.0, -0.5, 0.5, 1.0, 2.0])
    case = rng.random()
    high, low = [1.3, 1.4, 1.5], [0.5, 0.6, 0.7]
    if case < 0.06:  # left the range in the improving direction: clipped, zero gradient
        ratio = rng.choice(high if adv > 0 else low)
    elif case < 0.54:  # left the range the wrong way: the unclipped term, gradient flows
        ratio = rng.choice(low if adv > 0 else high)
    else:
        ratio = rng.choice([0.9, 1.0, 1.1])
    return {"ratio": torch.tensor(ratio), "advantages": torch.tensor(adv), "clip_eps": 0.2}


def loss(ratio, advantages, clip_eps=0.2):
    r, a = ratio, advantages
    unclipped = r * a
    clipped = torch.clamp(r, 1 - clip_eps, 1 + clip_eps) * a
    frozen = bool(clipped < unclipped)  # clipped branch is the min: constant in r
    grad_wrt_ratio = torch.tensor(0.0) if frozen else -a
    if frozen:
        case = "clipped: ratio left the range in the improving direction -> zero gradient"
    elif abs(float(r) - 1) > clip_eps:
        case = "ratio left the range the WRONG way -> unclipped term, gradient flows"
    else:
        case = "inside [1-eps, 1+eps] -> ordinary policy-gradient term"
    return {
        "unclipped_rA": unclipped,
        "clipped_rA": clipped,
        "loss": -torch.minimum(unclipped, clipped),
        "case": case,
        "grad_wrt_ratio": grad_wrt_ratio,
        "value": grad_wrt_ratio * r,  # chain rule: dr/dlogp = r
    }


def mistakes(ratio, advantages, clip_eps=0.2):
    r, a = ratio, advantages
    frozen = bool(torch.clamp(r, 1 - clip_eps, 1 + clip_eps) * a < r * a)
    outside = abs(float(r) - 1) > clip_eps
    return {
        "forgot dr/dlogp = r: that is dL/dr": torch.tensor(0.0) if frozen else -a,
        "that zeroes the gradient whenever r is outside [1-eps, 1+eps]; the clip is one-sided": (
            torch.tensor(0.0) if outside else -a * r),
        "wrong sign: L = -min(...) is the loss, so dL/dlogp = -A r where the gradient flows": (
            torch.tensor(0.0) if frozen else a * r),
    }


def reference(ratio, advantages, clip_eps=0.2):
    logp_old = torch.tensor(0.0)
    logp = torch.log(ratio).clone().requires_grad_(True)
    r = torch.exp(logp - logp_old)
    per_sample = torch.minimum(r * advantages, torch.clamp(r, 1 - clip_eps, 1 + clip_eps) * advantages)
    (grad,) = torch.autograd.grad(-per_sample, logp)
    return grad


def plot():
    """d(-L^CLIP)/dlogp for one sample over the ratio r, for A = +1 and A = -1."""
    eps = 0.2
    r = torch.linspace(0.2, 2.0, 181)
    series = []
    for a in (1.0, -1.0):
        unclipped = r * a
        clipped = torch.clamp(r, 1 - eps, 1 + eps) * a
        grad = torch.where(clipped < unclipped, torch.zeros_like(r), -a * r)  # dr/dlogp = r
        series.append({"name": f"dL/dlogp, A = {a:+g}", "x": r.tolist(), "y": grad.tolist()})
    return {
        "title": f"Gradient of the PPO loss w.r.t. logp over the ratio (eps = {eps})",
        "x_label": "ratio r = pi / pi_old",
        "y_label": "dL/dlogp, L = -min(rA, clip(r) A)",
        "series": series,
        "note": "Zero only where the ratio left [1 - eps, 1 + eps] in the improving direction; "
        "on the wrong side the gradient keeps flowing.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
