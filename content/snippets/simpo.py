"""SimPO loss, from scratch, against F.softplus on TRL's CPOTrainer(loss_type="simpo") logits.

L = -mean log sigma( beta/|y_w| log pi(y_w|x) - beta/|y_l| log pi(y_l|x) - gamma )
(Meng, Xia & Chen 2024, SimPO). The implicit reward is the length-normalised (average per-token)
log-prob scaled by beta; there is no reference model; gamma > 0 is a target reward margin.
Inputs: summed sequence log-probs and token counts; natural log. The paper uses beta ~ 2-2.5
in its main runs, up to 10 later (large, because averaged log-probs are small); gamma is tuned
through gamma/beta (e.g. beta = 2, gamma = 1; beta = 10, gamma/beta = 0.3-0.5).
TRL: CPOConfig(loss_type="simpo", cpo_alpha=0); a nonzero cpo_alpha adds an NLL term (CPO-SimPO).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.softplus(-beta * ((avg_w - avg_l) - gamma/beta))  (TRL's grouping)"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-6.0]),
        "policy_rejected_logps": torch.tensor([-12.0]),
        "chosen_len": torch.tensor([3.0]),
        "rejected_len": torch.tensor([4.0]),
        "beta": 2.0,
        "simpo_gamma": 1.0,
    }


def problem(rng: random.Random):
    len_w, len_l = rng.randint(2, 5), rng.randint(2, 5)
    # Average per-token log-probs in {-0.5, -1.0, ..., -3.0} so the division is easy by hand.
    avg_w, avg_l = rng.randint(1, 6) / 2, rng.randint(1, 6) / 2
    return {
        "policy_chosen_logps": torch.tensor([-avg_w * len_w]),
        "policy_rejected_logps": torch.tensor([-avg_l * len_l]),
        "chosen_len": torch.tensor([float(len_w)]),
        "rejected_len": torch.tensor([float(len_l)]),
        "beta": rng.choice([2.0, 2.5]),
        "simpo_gamma": rng.choice([0.5, 1.0]),
    }


def loss(policy_chosen_logps, policy_rejected_logps, chosen_len, rejected_len, beta=2.0, simpo_gamma=1.0):
    chosen_reward = beta * policy_chosen_logps / chosen_len  # beta * average log-prob
    rejected_reward = beta * policy_rejected_logps / rejected_len
    z = chosen_reward - rejected_reward - simpo_gamma
    per_pair = F.softplus(-z)  # -log sigma(z), stable
    return {
        "chosen_reward": chosen_reward,
        "rejected_reward": rejected_reward,
        # With *summed* log-probs the margin would mostly measure length, not quality.
        "summed_logp_margin": policy_chosen_logps - policy_rejected_logps,
        "z": z,
        "per_pair": per_pair,
        "value": per_pair.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, chosen_len, rejected_len, beta=2.0, simpo_gamma=1.0):
    pi_logratios = policy_chosen_logps / chosen_len - policy_rejected_logps / rejected_len
    logits = pi_logratios - simpo_gamma / beta
    return F.softplus(-beta * logits).mean()


def given(policy_chosen_logps, policy_rejected_logps, chosen_len, rejected_len, beta=2.0, simpo_gamma=1.0):
    """-ln sigma(x) at the right logit z, at -z and at the logit without the margin gamma."""
    xs = set()
    delta = beta * (policy_chosen_logps / chosen_len - policy_rejected_logps / rejected_len)
    for d in delta.tolist():
        z = round(d - simpo_gamma, 6)
        xs.update({z, -z, round(d, 6)})
    return {f"-ln σ({x:g})": round(float(F.softplus(torch.tensor(-x))), 4) for x in sorted(xs)}


def mistakes(policy_chosen_logps, policy_rejected_logps, chosen_len, rejected_len, beta=2.0, simpo_gamma=1.0):
    avg_gap = policy_chosen_logps / chosen_len - policy_rejected_logps / rejected_len
    sum_gap = policy_chosen_logps - policy_rejected_logps
    return {
        "summed log-probs: SimPO's reward is the length-normalised (mean per-token) log-prob":
            F.softplus(-(beta * sum_gap - simpo_gamma)).mean(),
        "γ added instead of subtracted": F.softplus(-(beta * avg_gap + simpo_gamma)).mean(),
        "β multiplies γ too: the margin is γ, i.e. γ/β inside β(·)": F.softplus(-beta * (avg_gap - simpo_gamma)).mean(),
        "forgot the target margin γ": F.softplus(-beta * avg_gap).mean(),
        "chosen and rejected swapped": F.softplus(beta * avg_gap + simpo_gamma).mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
