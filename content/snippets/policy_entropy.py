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
    k = rng.choice([3, 4, 5])
    z = [float(rng.randint(0, 3)) for _ in range(k)]
    while len(set(z)) == 1:  # never uniform: log K would be a guessable answer
        z = [float(rng.randint(0, 3)) for _ in range(k)]
    return {"logits": torch.tensor(z)}


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


def given(logits):
    z = logits.tolist()
    terms = " + ".join(f"e^{x:g}" for x in z)
    out = {f"ln({terms})": round(math.log(sum(math.exp(x) for x in z)), 4)}
    for k in sorted({int(x) for x in z if x >= 1}):
        out[f"e^{k}"] = round(math.exp(k), 4)
    return out


def mistakes(logits):
    log_p = torch.log_softmax(logits, dim=-1)
    p = log_p.exp()
    return {
        "that is in bits (log base 2); the card asks for nats (natural log)": -(p * log_p).sum() / math.log(2),
        "wrong sign: entropy is -sum p log p, which is >= 0": (p * log_p).sum(),
    }


def reference(logits):
    return torch.distributions.Categorical(logits=logits).entropy()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
