"""VDN and QMIX value factorisation for one state, from scratch, against a built-in layout.

Cooperative MARL with centralised training, decentralised execution (CTDE): each agent a has
its own utility Q_a(tau_a, u_a); the team value is mixed from them.
  VDN (Sunehag et al., 2018):  Q_tot = sum_a Q_a
  QMIX (Rashid et al., 2018):  Q_tot = f_s(Q_1, ..., Q_n), f monotonic: dQ_tot/dQ_a >= 0,
      enforced by taking ABS of the mixing weights that hypernetworks produce from the global
      state s:  Q_tot = elu(q |W1(s)| + b1(s)) |w2(s)| + b2(s)   (biases unconstrained).
Monotonicity means each agent's argmax of Q_a is the argmax of Q_tot (IGM): decentralised
greedy actions are jointly greedy. The team is trained end to end with a TD loss on Q_tot.
Inputs are the hypernetwork outputs for this state (w1 is n_agents x embed).
Reference, a second route: torch.nn.functional.linear and F.elu in pymarl's bmm layout; the
check also confirms by autograd that every dQ_tot/dQ_a is >= 0.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.linear + F.elu with abs weights (pymarl layout); autograd confirms dQ_tot/dQ_a >= 0"


def example():
    return {
        "agent_qs": torch.tensor([1.0, -0.5]),
        "w1": torch.tensor([[0.5, -1.0], [2.0, 0.5]]),
        "b1": torch.tensor([0.0, -1.0]),
        "w2": torch.tensor([1.0, -0.5]),
        "b2": torch.tensor(0.5),
    }


def problem(rng: random.Random):
    def v(n):
        return [rng.randint(-4, 4) / 2 for _ in range(n)]

    return {
        "agent_qs": torch.tensor(v(2)),
        "w1": torch.tensor([v(2), v(2)]),
        "b1": torch.tensor(v(2)),
        "w2": torch.tensor(v(2)),
        "b2": torch.tensor(rng.randint(-2, 2) / 2),
    }


def loss(agent_qs, w1, b1, w2, b2):
    hidden = F.elu(agent_qs @ w1.abs() + b1)
    q_tot = hidden @ w2.abs() + b2
    return {"hidden": hidden, "vdn_sum": agent_qs.sum(), "value": {"qmix": q_tot, "vdn": agent_qs.sum()}}


def reference(agent_qs, w1, b1, w2, b2):
    qs = agent_qs.clone().requires_grad_(True)
    hidden = torch.nn.functional.elu(F.linear(qs.view(1, 1, -1), w1.abs().T, b1))  # (1, 1, embed)
    q_tot = torch.bmm(hidden, w2.abs().view(1, -1, 1)).view(()) + b2
    (grad,) = torch.autograd.grad(q_tot, qs)
    assert bool((grad >= 0).all()), "QMIX mixing must be monotonic in every agent's Q"
    return {"qmix": q_tot.detach(), "vdn": torch.ones_like(agent_qs) @ agent_qs}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
