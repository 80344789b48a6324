"""DPO loss, from scratch, against F.binary_cross_entropy_with_logits on TRL's logits.

L = -mean log sigma( beta [ (log pi(y_w|x) - log pi_ref(y_w|x)) - (log pi(y_l|x) - log pi_ref(y_l|x)) ] )
(Rafailov et al. 2023, Eq. 7). Inputs are *sequence* log-probs (sums over the response tokens),
natural log, mean over pairs. beta = 0.1 is the TRL DPOConfig default.
beta * log(pi/pi_ref) is the implicit reward; when pi == pi_ref every margin is 0 and L = log 2.
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


def _at_reference(ref_chosen_logps, ref_rejected_logps, beta):
    """Same formula with pi := pi_ref: both log-ratios are 0, so the loss is log(1 + e^0) = log 2."""
    margin = beta * (ref_chosen_logps - ref_chosen_logps) - beta * (ref_rejected_logps - ref_rejected_logps)
    return torch.log1p(torch.exp(-margin)).mean()


def loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    chosen_reward = beta * (policy_chosen_logps - ref_chosen_logps)  # implicit reward of y_w
    rejected_reward = beta * (policy_rejected_logps - ref_rejected_logps)  # implicit reward of y_l
    margin = chosen_reward - rejected_reward
    per_pair = torch.log1p(torch.exp(-margin))  # -log sigma(m) = log(1 + e^{-m})
    n = margin.numel()
    # Gradient weight sigma(-m): large when the implicit rewards rank the pair the wrong way.
    weight = 1 / (1 + torch.exp(margin))
    return {
        "chosen_reward": chosen_reward,
        "rejected_reward": rejected_reward,
        "margin": margin,
        "per_pair": per_pair,
        "loss_if_policy_equals_reference": _at_reference(ref_chosen_logps, ref_rejected_logps, beta),
        "grad_policy_chosen_logps": -beta * weight / n,
        "grad_policy_rejected_logps": beta * weight / n,
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1):
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = ref_chosen_logps - ref_rejected_logps
    logits = beta * (pi_logratios - ref_logratios)
    return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
