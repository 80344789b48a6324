"""CQL(H) regulariser for discrete actions, from scratch, against F.cross_entropy.

Conservative Q-Learning (Kumar et al., 2020, Eq. 4 with the entropy regulariser, "CQL(H)") adds
to the ordinary TD loss
    alpha * E_{s ~ D} [ logsumexp_a Q(s, a) - Q(s, a_data) ]
It pushes Q down on every action (softly, on the ones Q rates highest) and back up on the action
the dataset took, so out-of-distribution actions cannot look better than the data: the learnt Q
lower-bounds the policy's value (in expectation). The regulariser is >= 0, 0 only if Q puts all
its softmax mass on the data action. alpha is a tuned weight (or set by dual gradient descent
so that the gap stays near a threshold, the paper's Lagrangian variant).
Reference, a second route: logsumexp_a Q(s, a) - Q(s, a_data) = -log softmax(Q(s, .))[a_data],
the cross-entropy of "logits" Q with target a_data, so the mean regulariser is
F.cross_entropy(q_values, actions).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy(q_values, actions)"


def example():
    return {
        "q_values": torch.tensor([[1.0, 2.0, 0.0], [0.5, 0.5, 3.0]]),
        "actions": torch.tensor([1, 0]),
        "alpha": 1.0,
    }


def problem(rng: random.Random):
    rows = [[float(rng.randint(-2, 3)) for _ in range(3)] for _ in range(2)]
    return {
        "q_values": torch.tensor(rows),
        "actions": torch.tensor([rng.randint(0, 2), rng.randint(0, 2)]),
        "alpha": rng.choice([0.5, 1.0, 5.0]),
    }


def loss(q_values, actions, alpha=1.0):
    lse = torch.logsumexp(q_values, dim=1)  # soft maximum over all actions
    q_data = q_values[torch.arange(len(actions)), actions]
    gap = lse - q_data
    return {
        "logsumexp_q": lse,
        "q_data": q_data,
        "per_state_gap": gap,
        "weighted_regulariser": alpha * gap.mean(),
        "value": gap.mean(),
    }


def given(q_values, actions, alpha=1.0):
    out = {}
    for row in q_values.tolist():
        key = "ln(" + " + ".join(f"e^{x:g}" for x in row) + ")"
        out[key] = round(math.log(sum(math.exp(x) for x in row)), 4)
    return out


def mistakes(q_values, actions, alpha=1.0):
    q_data = q_values[torch.arange(len(actions)), actions]
    lse = torch.logsumexp(q_values, dim=1)
    return {
        "that uses the hard max: CQL(H) uses logsumexp, the soft maximum": (q_values.max(dim=1).values - q_data).mean(),
        "wrong sign: CQL pushes Q down on all actions and up on the data action": (q_data - lse).mean(),
        "that is the sum over states; the card asks for the mean": (lse - q_data).sum(),
    }


def reference(q_values, actions, alpha=1.0):
    return F.cross_entropy(q_values, actions)


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
