"""Entropy of a categorical policy from logits, from scratch, against torch.distributions.

H(pi) = -sum_a pi_a log pi_a = logsumexp(z) - sum_a pi_a z_a,  pi = softmax(z), natural log (nats).
Maximal (log K) for the uniform policy, 0 for a deterministic one. Actor-critic losses SUBTRACT
c2 * H (PPO Eq. 9, CleanRL ent_coef = 0.01; A3C beta = 0.01), i.e. they reward entropy, so the
policy does not collapse to a deterministic one before it has explored.
dH/dz_a = -pi_a (log pi_a + H): ascending H lifts the unlikely actions and flattens pi.
"""

import math
import random

import torch

REFERENCE = "torch.distributions.Categorical(logits=...).entropy()"


def example():
    return {"logits": torch.tensor([2.0, 1.0, 0.0])}


def problem(rng: random.Random):
    k = rng.choice([2, 3])
    return {"logits": torch.tensor([float(rng.randint(0, 2)) for _ in range(k)])}


def loss(logits):
    log_z = torch.logsumexp(logits, dim=-1)
    log_p = logits - log_z  # log-softmax, stable
    p = log_p.exp()
    per_action = -p * log_p
    entropy = per_action.sum()
    return {
        "p": p,
        "log_p": log_p,
        "minus_p_log_p": per_action,
        "max_entropy_log_K": torch.tensor(math.log(len(logits))),
        "grad_H_wrt_logits": -p * (log_p + entropy),
        "loss_term_c2_0.01": -0.01 * entropy,
        "value": entropy,
    }


def reference(logits):
    return torch.distributions.Categorical(logits=logits).entropy()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
