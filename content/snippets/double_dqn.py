"""Double DQN target, from scratch, against torch.gather; plus a Monte-Carlo look at max bias.

DQN:        y = r + gamma (1 - done) max_a' Qbar(s', a')               (select AND evaluate with Qbar)
Double DQN: y = r + gamma (1 - done) Qbar(s', argmax_a' Q(s', a'))    (select with online Q,
            evaluate with target Qbar; van Hasselt, Guez & Silver, 2016).
Why: E[max_a Q^(a)] >= max_a E[Q^(a)], so maxing over noisy estimates overestimates; decoupling
selection from evaluation removes most of that bias. The demo draws noisy estimates (true value 0
for every action) and shows the single-estimator max is biased up while the double one is not.
"""

import random

import torch

REFERENCE = "torch.gather(next_q_target, argmax(next_q_online))"


def example():
    return {
        "rewards": torch.tensor(1.0),
        "dones": torch.tensor(0.0),
        "gamma": 0.9,
        "next_q_online": torch.tensor([2.0, 3.0, 1.0]),  # Q(s', .), online net
        "next_q_target": torch.tensor([2.5, 1.5, 4.0]),  # Qbar(s', .), target net
    }


def problem(rng: random.Random):
    online = rng.sample([x / 2 for x in range(-2, 9)], 3)  # distinct: no argmax ties
    return {
        "rewards": torch.tensor(float(rng.randint(-1, 2))),
        "dones": torch.tensor(rng.choice([0.0, 0.0, 1.0])),
        "gamma": rng.choice([0.5, 0.9, 1.0]),
        "next_q_online": torch.tensor(online),
        "next_q_target": torch.tensor([rng.randint(-2, 8) / 2 for _ in range(3)]),
    }


def loss(rewards, dones, gamma, next_q_online, next_q_target):
    online = next_q_online.tolist()
    a_star = max(range(len(online)), key=online.__getitem__)  # select with the online net
    not_done = 1 - dones
    dqn_y = rewards + gamma * not_done * next_q_target.max()
    double_y = rewards + gamma * not_done * next_q_target[a_star]  # evaluate with the target
    # Overestimation demo: 5 actions all truly worth 0, two independent noisy estimators N(0, 1).
    est_a, est_b = torch.randn(20_000, 5), torch.randn(20_000, 5)
    single = est_a.max(dim=1).values.mean()  # ~ +1.16, biased up
    double = est_b.gather(1, est_a.argmax(dim=1, keepdim=True)).mean()  # ~ 0
    return {
        "argmax_online": torch.tensor(a_star),
        "dqn_target": dqn_y,
        "demo_bias_max_single": single,
        "demo_bias_double": double,
        "value": double_y,
    }


def reference(rewards, dones, gamma, next_q_online, next_q_target):
    a_star = next_q_online.argmax(dim=0, keepdim=True)
    return rewards + gamma * (1 - dones) * next_q_target.gather(0, a_star)[0]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
