"""Soft Actor-Critic losses for one transition, from scratch, against a second route.

Soft-Q target (clipped double-Q, entropy term; a' ~ pi(.|s') freshly sampled, Q-bar = target nets):
    y = r + gamma (1 - done) [min_j Qbar_j(s', a') - alpha log pi(a'|s')]
Critic loss: sum over the two critics of 1/2 (Q_j(s, a) - y)^2, y held fixed (Haarnoja et al.
2018b; SB3 uses this 1/2, CleanRL drops it). Policy loss, a~ reparameterised from pi(.|s):
    alpha log pi(a~|s) - min_j Q_j(s, a~)
Temperature loss (automatic alpha, target entropy Hbar = -dim(A)):  -alpha (log pi(a~|s) + Hbar)
Reference, a second route through the entropy estimate H^ = -log pi: y = (clipped double-Q
target) + gamma (1 - done) alpha H^; policy loss = -(min Q + alpha H^); alpha loss =
alpha (H^ - Hbar) (alpha shrinks when the policy's entropy is above target); critic loss by
F.mse_loss.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "entropy-bonus route: y = r + g(1-d)(min Qbar + alpha*H^), F.mse_loss"


def example():
    return {
        "rewards": torch.tensor(1.0),
        "dones": torch.tensor(0.0),
        "gamma": 0.9,
        "alpha": 0.2,
        "q_next": torch.tensor([2.0, 1.5]),  # Qbar_1, Qbar_2 at (s', a')
        "logp_next": torch.tensor(-1.0),  # log pi(a'|s')
        "q": torch.tensor([2.5, 2.0]),  # Q_1, Q_2 at (s, a) from the replay buffer
        "q_pi": torch.tensor([3.0, 2.5]),  # Q_1, Q_2 at (s, a~), a~ ~ pi(.|s)
        "logp_pi": torch.tensor(-0.5),
        "target_entropy": -1.0,  # -dim(A) for a 1-D action
    }


def problem(rng: random.Random):
    def one():
        return rng.randint(-10, 30) / 10

    return {
        "rewards": torch.tensor(rng.choice([-1.0, 0.0, 0.5, 1.0])),
        "dones": torch.tensor(rng.choice([0.0, 0.0, 1.0])),
        "gamma": rng.choice([0.5, 0.9]),
        "alpha": rng.choice([0.1, 0.2, 0.5]),
        "q_next": torch.tensor([one(), one()]),
        "logp_next": torch.tensor(rng.choice([-2.0, -1.0, -0.5, 0.5])),
        "q": torch.tensor([one(), one()]),
        "q_pi": torch.tensor([one(), one()]),
        "logp_pi": torch.tensor(rng.choice([-2.0, -1.0, -0.5, 0.5])),
        "target_entropy": -1.0,
    }


def loss(rewards, dones, gamma, alpha, q_next, logp_next, q, q_pi, logp_pi, target_entropy):
    min_q_next = q_next.min()  # clipped double-Q: pessimistic against overestimation
    soft_v_next = min_q_next - alpha * logp_next
    y = rewards + gamma * (1 - dones) * soft_v_next
    critic = (0.5 * (q - y) ** 2).sum()
    policy = alpha * logp_pi - q_pi.min()
    alpha_loss = -alpha * (logp_pi + target_entropy)
    return {
        "min_q_next": min_q_next,
        "soft_v_next": soft_v_next,
        "critic_errors": q - y,
        "value": {"q_target": y, "critic_loss": critic, "policy_loss": policy, "alpha_loss": alpha_loss},
    }


def reference(rewards, dones, gamma, alpha, q_next, logp_next, q, q_pi, logp_pi, target_entropy):
    h_next, h_pi = -logp_next, -logp_pi  # one-sample entropy estimates
    not_done = 1 - dones
    y = rewards + gamma * not_done * torch.min(q_next[0], q_next[1]) + gamma * not_done * alpha * h_next
    critic = 0.5 * F.mse_loss(q, y.expand(2), reduction="sum")
    policy = -(torch.min(q_pi[0], q_pi[1]) + alpha * h_pi)
    return {
        "q_target": y,
        "critic_loss": critic,
        "policy_loss": policy,
        "alpha_loss": alpha * (h_pi - target_entropy),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
