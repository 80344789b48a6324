"""Practice task for card 'cql-regularizer': CQL(H)'s conservative penalty for discrete actions."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "cql_regularizer"
DOCSTRING = """CQL(H)'s conservative regulariser for discrete actions (Kumar et al. 2020, Eq. 4),
without its weight alpha: the term added to the TD loss.

Args:
    q_values: (N, K) Q(s, .) of the online network for N dataset states and K actions.
    actions: (N,) int64, the dataset's action in each state.

Returns:
    A 0-dim tensor with the dtype of q_values:
        mean_s [ logsumexp_a Q(s, a) - Q(s, a_data) ]
    (stable for large Q-values: no overflow in the soft maximum).

Checked: values and the gradient w.r.t. q_values.
"""
REFERENCE = "torch.nn.functional.cross_entropy(q_values, actions): logsumexp Q - Q(a) is -log softmax(Q)[a]"
CASES = [
    "one state",
    "batch of 8, 4 actions",
    "Q-values in the thousands",
    "data action is the argmax",
    "18 actions (Atari)",
    "float64",
]
STABILITY = {"Q-values in the thousands"}
NO_GRAD: set[str] = set()
GRAD = ("q_values",)


def cql_regularizer(q_values: Tensor, actions: Tensor) -> Tensor:
    q_data = q_values.gather(1, actions[:, None]).squeeze(1)
    return (torch.logsumexp(q_values, dim=1) - q_data).mean()


def reference(q_values, actions):
    return F.cross_entropy(q_values, actions)


def inputs(gen, case):
    def draw(n, k, scale=2.0, dtype=torch.float32):
        return {
            "q_values": torch.randn(n, k, generator=gen, dtype=dtype) * scale,
            "actions": torch.randint(0, k, (n,), generator=gen),
        }

    if case == "one state":
        return draw(1, 3)
    if case == "batch of 8, 4 actions":
        return draw(8, 4)
    if case == "Q-values in the thousands":
        out = draw(6, 3, scale=1.0)
        out["q_values"] = out["q_values"] + 2000.0
        return out
    if case == "data action is the argmax":
        out = draw(5, 4)
        out["actions"] = out["q_values"].argmax(dim=1)
        return out
    if case == "18 actions (Atari)":
        return draw(4, 18)
    if case == "float64":
        return draw(6, 5, dtype=torch.float64)
    raise ValueError(case)


def _hard_max(q_values, actions):
    q_data = q_values.gather(1, actions[:, None]).squeeze(1)
    return (q_values.max(dim=1).values - q_data).mean()


def _flipped(q_values, actions):
    return -cql_regularizer(q_values, actions)


def _summed(q_values, actions):
    return cql_regularizer(q_values, actions) * len(actions)


MISTAKES = {
    "CQL(H) uses logsumexp, the soft maximum, not the hard max": _hard_max,
    "push Q DOWN on all actions (logsumexp) and UP on the data action": _flipped,
    "mean over states, not the sum": _summed,
}


def from_snippet(example, snippet):
    return {"q_values": example["q_values"], "actions": example["actions"]}
