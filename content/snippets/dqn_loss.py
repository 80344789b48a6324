"""DQN loss, from scratch, against torch.nn.functional.smooth_l1_loss.

TD target (target network Qbar, held fixed):  y = r + gamma (1 - done) max_a' Qbar(s', a')
Loss: Huber with delta = 1 on the TD error Q(s, a) - y, mean over the replayed batch.
Mnih et al. (2015) clip the TD-error term to [-1, 1], which is exactly Huber with delta = 1;
SB3 DQN uses F.smooth_l1_loss (beta = 1, = F.huber_loss(delta=1)); CleanRL's dqn.py uses MSE.
The target is a stop-gradient (semi-gradient TD); transitions come from a replay buffer and
Qbar is a periodic copy of Q, both to decorrelate and stabilise the regression target.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.smooth_l1_loss (beta=1)"


def example():
    return {
        "q_values": torch.tensor([[1.0, 2.0], [0.5, -1.0]]),  # Q(s, .) from the online net
        "actions": torch.tensor([1, 0]),
        "rewards": torch.tensor([1.0, 0.0]),
        "dones": torch.tensor([0.0, 1.0]),
        "gamma": 0.9,
        "next_q_target": torch.tensor([[3.0, 1.0], [2.0, 4.0]]),  # Qbar(s', .)
    }


def problem(rng: random.Random):
    def row():
        return [rng.randint(-4, 8) / 2 for _ in range(2)]

    return {
        "q_values": torch.tensor([row(), row()]),
        "actions": torch.tensor([rng.randint(0, 1), rng.randint(0, 1)]),
        "rewards": torch.tensor([float(rng.randint(-1, 2)) for _ in range(2)]),
        "dones": torch.tensor([0.0, rng.choice([0.0, 1.0])]),
        "gamma": rng.choice([0.5, 0.9, 1.0]),
        "next_q_target": torch.tensor([row(), row()]),
    }


def loss(q_values, actions, rewards, dones, gamma, next_q_target):
    q_sa = q_values[torch.arange(len(actions)), actions]
    max_next = next_q_target.max(dim=1).values
    y = rewards + gamma * (1 - dones) * max_next  # no gradient flows into y
    td_error = q_sa - y
    abs_err = td_error.abs()
    per_sample = torch.where(abs_err <= 1.0, 0.5 * td_error**2, abs_err - 0.5)
    return {
        "q_sa": q_sa,
        "max_next_q": max_next,
        "td_target": y,
        "td_error": td_error,
        "per_sample_huber": per_sample,
        "grad_q_sa": td_error.clamp(-1.0, 1.0) / len(td_error),  # the "clipped TD error"
        "value": per_sample.mean(),
    }


def mistakes(q_values, actions, rewards, dones, gamma, next_q_target):
    q_sa = q_values[torch.arange(len(actions)), actions]

    def huber(err):
        return torch.where(err.abs() <= 1.0, 0.5 * err**2, err.abs() - 0.5).mean()

    y = rewards + gamma * (1 - dones) * next_q_target.max(dim=1).values
    return {
        "forgot the done mask: no bootstrap after a terminal state": huber(q_sa - (rewards + gamma * next_q_target.max(dim=1).values)),
        "that is the MSE; the card asks for the Huber loss (delta = 1)": ((q_sa - y) ** 2).mean(),
        "that is half the MSE (Huber without the linear zone)": (0.5 * (q_sa - y) ** 2).mean(),
        "that is the sum over the batch; the card asks for the mean": huber(q_sa - y) * len(y),
    }


def reference(q_values, actions, rewards, dones, gamma, next_q_target):
    q_sa = q_values.gather(1, actions[:, None]).squeeze(1)
    y = rewards + gamma * (1 - dones) * next_q_target.amax(dim=1)
    return F.smooth_l1_loss(q_sa, y.detach(), beta=1.0)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
