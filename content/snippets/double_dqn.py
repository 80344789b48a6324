"""Double DQN target, from scratch, against torch.gather; plus a Monte-Carlo look at max bias.

DQN:        y = r + gamma (1 - done) max_a' Qbar(s', a')               (select AND evaluate with Qbar)
Double DQN: y = r + gamma (1 - done) Qbar(s', argmax_a' Q(s', a'))    (select with online Q,
            evaluate with target Qbar; van Hasselt, Guez & Silver, 2016).
Why: E[max_a Q^(a)] >= max_a E[Q^(a)], so maxing over noisy estimates overestimates; decoupling
selection from evaluation removes most of that bias. The demo draws noisy estimates (true value 0
for every action) and shows the single-estimator max is biased up while the double one is not.
Reference, a limiting case: Double DQN evaluates the online net's GREEDY policy with the target
net, i.e. expected SARSA under the Boltzmann policy softmax(Q_online / T) as T -> 0. With online
values at least 0.5 apart (problem() draws them so), T = 1e-3 leaves < e^-500 off the argmax.
"""

import random

import torch

REFERENCE = "limit: expected value of Qbar under softmax(Q_online / T), T = 1e-3 (greedy online policy)"


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
        "rewards": torch.tensor(rng.randint(-6, 6) / 2),
        "dones": torch.tensor(rng.choice([0.0, 1.0])),
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


def mistakes(rewards, dones, gamma, next_q_online, next_q_target):
    a_star = int(next_q_online.argmax())
    not_done = 1 - dones
    return {
        "that is the plain DQN target max_a Qbar(s', a): Double DQN evaluates the ONLINE argmax with Qbar":
            rewards + gamma * not_done * next_q_target.max(),
        "selection and evaluation are swapped: select with the online net, evaluate with the target net":
            rewards + gamma * not_done * next_q_online[int(next_q_target.argmax())],
        "that evaluates with the online net; the value comes from the target net":
            rewards + gamma * not_done * next_q_online[a_star],
        "forgot the done mask: no bootstrap after a terminal state": rewards + gamma * next_q_target[a_star],
    }


def reference(rewards, dones, gamma, next_q_online, next_q_target):
    greedy = torch.softmax(next_q_online.double() / 1e-3, dim=0)  # -> one-hot on the online argmax
    return (rewards + gamma * (1 - dones) * (greedy * next_q_target.double()).sum()).float()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
