"""DPO loss, from scratch, against F.binary_cross_entropy_with_logits on TRL's logits.

L = -mean log sigma( beta [ (log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x)) ] )
(Rafailov et al. 2023, Eq. 7). Inputs are *sequence* log-probs (sums over the response tokens),
natural log, mean over pairs. beta = 0.1 is the TRL DPOConfig default.
beta * log(pi/pi_ref) is the implicit reward; when pi == pi_ref every margin is 0 and L = log 2.
-log sigma(m) is computed as softplus(-m), which stays finite for any margin (log1p(exp(-m))
overflows to inf in float32 below m ~ -88).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits(beta * ((pc - pr) - (rc - rr)), ones)  (TRL's grouping)"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-12.0, -20.0]),
        "policy_rejected_logps": torch.tensor([-15.0, -18.0]),
        "ref_chosen_logps": torch.tensor([-14.0, -21.0]),
        "ref_rejected_logps": torch.tensor([-13.0, -19.0]),
        "beta": 0.1,
    }


def problem(rng: random.Random):
    return {
        "policy_chosen_logps": torch.tensor([float(rng.randint(-30, -5))]),
        "policy_rejected_logps": torch.tensor([float(rng.randint(-30, -5))]),
        "ref_chosen_logps": torch.tensor([float(rng.randint(-30, -5))]),
        "ref_rejected_logps": torch.tensor([float(rng.randint(-30, -5))]),
        "beta": rng.choice([0.1, 0.1, 0.2, 0.5]),
    }


def _neg_log_sigmoid(x):
    return F.softplus(-x)  # -log sigma(x) = log(1 + e^{-x}), stable


def loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    chosen_reward = beta * (policy_chosen_logps - ref_chosen_logps)  # implicit reward of y_w
    rejected_reward = beta * (policy_rejected_logps - ref_rejected_logps)  # implicit reward of y_l
    margin = chosen_reward - rejected_reward
    per_pair = _neg_log_sigmoid(margin)
    n = margin.numel()
    # Gradient weight sigma(-m): large when the implicit rewards rank the pair the wrong way.
    weight = torch.sigmoid(-margin)
    return {
        "chosen_reward": chosen_reward,
        "rejected_reward": rejected_reward,
        "margin": margin,
        "per_pair": per_pair,
        "loss_if_policy_equals_reference": _neg_log_sigmoid(torch.zeros_like(margin)).mean(),
        "pair_weight": weight,
        "grad_policy_chosen_logps": -beta * weight / n,
        "grad_policy_rejected_logps": beta * weight / n,
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = ref_chosen_logps - ref_rejected_logps
    logits = beta * (pi_logratios - ref_logratios)
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


def given(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    """-ln sigma(x) at the margin, at its negative and at the margin without beta (so the lookup
    itself does not give the answer away)."""
    h = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    xs = set()
    for hv in h.tolist():
        m = round(beta * hv, 6)
        xs.update({m, -m, round(hv, 6)})
    return {f"-ln σ({x:g})": round(float(F.softplus(torch.tensor(-x))), 4) for x in sorted(xs)}


def mistakes(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    h = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    no_ref = policy_chosen_logps - policy_rejected_logps
    return {
        "chosen and rejected swapped (that is −log σ(−m))": _neg_log_sigmoid(-beta * h).mean(),
        "β applied outside the sigmoid: β·(−log σ(h)) instead of −log σ(β·h)": (beta * _neg_log_sigmoid(h)).mean(),
        "forgot the reference model: the margin needs the log-ratios to π_ref": _neg_log_sigmoid(beta * no_ref).mean(),
        "β left out: the implicit reward is β·(log π − log π_ref), so the margin is β·h": _neg_log_sigmoid(h).mean(),
        "wrong sign: the loss is −log σ(m), which is positive": (-_neg_log_sigmoid(beta * h)).mean(),
    }


def plot():
    m = torch.linspace(-6.0, 6.0, 241)
    return {
        "title": "DPO per-pair loss and gradient weight over the margin",
        "x_label": "margin m = beta * h",
        "y_label": "value",
        "series": [
            {"name": "loss -log sigma(m)", "x": m.tolist(), "y": F.softplus(-m).tolist()},
            {"name": "gradient weight sigma(-m)", "x": m.tolist(), "y": torch.sigmoid(-m).tolist()},
        ],
        "note": "At m = 0 (policy = reference) the loss is log 2. Pairs the implicit reward already "
        "orders correctly (m >> 0) get almost no gradient; wrongly ordered ones get weight ~1.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print("given:", given(**inputs))
    print("mistakes:", mistakes(**inputs))
