"""IPO loss, from scratch, against F.mse_loss to the target 1/(2 tau).

h = [log pi(y_w) - log pi_ref(y_w)] - [log pi(y_l) - log pi_ref(y_l)]   (natural log)
L = mean (h - 1/(2 tau))^2            (Azar et al. 2023, "A General Theoretical Paradigm ...", IPO)
tau is the regularisation strength (TRL's DPOConfig(loss_type="ipo") calls it beta and, unlike
the paper, averages the log-probs over tokens). A squared loss has its minimum at h = 1/(2 tau):
unlike DPO's -log sigma(beta h), it stops pushing once the log-ratio gap hits the target, so
deterministic preferences cannot drive h (and the implicit reward) to infinity.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.mse_loss(h, full(1/(2 tau)))"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-12.0]),
        "policy_rejected_logps": torch.tensor([-15.0]),
        "ref_chosen_logps": torch.tensor([-14.0]),
        "ref_rejected_logps": torch.tensor([-13.0]),
        "tau": 0.1,
    }


def problem(rng: random.Random):
    return {
        "policy_chosen_logps": torch.tensor([float(rng.randint(-15, -5))]),
        "policy_rejected_logps": torch.tensor([float(rng.randint(-15, -5))]),
        "ref_chosen_logps": torch.tensor([float(rng.randint(-15, -5))]),
        "ref_rejected_logps": torch.tensor([float(rng.randint(-15, -5))]),
        "tau": rng.choice([0.1, 0.25, 0.5]),
    }


def _dpo(h, beta):
    return torch.log1p(torch.exp(-beta * h)).mean()


def loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, tau=0.1):
    h = (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)
    target = 1 / (2 * tau)
    per_pair = (h - target) ** 2
    return {
        "h": h,
        "target": torch.tensor(target),
        "per_pair": per_pair,
        # Push the gap 10 nats further: DPO (beta = tau) keeps rewarding it, IPO penalises overshoot.
        "dpo_loss_at_h": _dpo(h, tau),
        "dpo_loss_at_h_plus_10": _dpo(h + 10, tau),
        "ipo_loss_at_h_plus_10": ((h + 10 - target) ** 2).mean(),
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, tau=0.1):
    pi_logratios = policy_chosen_logps - policy_rejected_logps
    ref_logratios = ref_chosen_logps - ref_rejected_logps
    h = pi_logratios - ref_logratios
    return F.mse_loss(h, torch.full_like(h, 1 / (2 * tau)))


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
