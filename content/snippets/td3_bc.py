"""TD3+BC actor loss, from scratch, against the official code's layout with F.mse_loss and a 1-norm.

TD3+BC (Fujimoto & Gu, 2021) is TD3 for offline RL with one change to the actor: add behaviour
cloning and normalise the Q term so that alpha means the same thing on every task,
    L_actor = -lambda * mean_i Q(s_i, pi(s_i)) + mean_{i,j} (pi(s_i)_j - a_ij)^2,
    lambda  = alpha / mean_i |Q(s_i, pi(s_i))|   (held fixed: detached),   alpha = 2.5.
The BC term is F.mse_loss(pi, action): a mean over batch AND action dimensions. States are
also normalised with the dataset's mean and std. The critic is TD3's, unchanged.
Inputs: `q_pi` = Q1(s, pi(s)) for the batch, `pi_actions` = pi(s), `actions` = dataset actions.
Reference, a second route: lambda from torch.linalg.vector_norm(q, 1) / N and the BC term
from F.mse_loss.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "official layout: -alpha / (||q||_1 / N) * q.mean() + F.mse_loss(pi, action)"


def example():
    return {
        "q_pi": torch.tensor([4.0, -2.0, 6.0]),
        "pi_actions": torch.tensor([[0.5, 0.0], [0.2, -0.4], [1.0, 0.5]]),
        "actions": torch.tensor([[0.5, 0.5], [0.0, 0.0], [0.5, 0.5]]),
        "alpha": 2.5,
    }


def problem(rng: random.Random):
    n = 2
    q = [float(rng.choice([-4, -2, 2, 4, 6, 8])) for _ in range(n)]
    return {
        "q_pi": torch.tensor(q),
        "pi_actions": torch.tensor([[rng.randint(-2, 2) / 2 for _ in range(2)] for _ in range(n)]),
        "actions": torch.tensor([[rng.randint(-2, 2) / 2 for _ in range(2)] for _ in range(n)]),
        "alpha": 2.5,
    }


def loss(q_pi, pi_actions, actions, alpha=2.5):
    lam = alpha / q_pi.abs().mean()  # detached in the official code: a scale, not a gradient path
    q_term = -lam * q_pi.mean()
    bc = ((pi_actions - actions) ** 2).mean()
    return {"lambda": lam, "q_term": q_term, "bc_mse": bc, "value": q_term + bc}


def mistakes(q_pi, pi_actions, actions, alpha=2.5):
    bc = ((pi_actions - actions) ** 2).mean()
    return {
        "lambda normalises by the mean |Q|, alpha / mean|Q|, it does not multiply by it": -alpha * q_pi.abs().mean() * q_pi.mean() + bc,
        "wrong sign on the Q term: the actor maximises Q, so the loss has -lambda Q": alpha / q_pi.abs().mean() * q_pi.mean() + bc,
        "that is the BC term summed over action dimensions; F.mse_loss averages them": (
            -alpha / q_pi.abs().mean() * q_pi.mean() + ((pi_actions - actions) ** 2).sum(-1).mean()),
    }


def reference(q_pi, pi_actions, actions, alpha=2.5):
    lam = alpha / (torch.linalg.vector_norm(q_pi, 1) / q_pi.numel())
    return -lam * q_pi.mean() + F.mse_loss(pi_actions, actions)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
