"""Practice task for card 'kl-discrete': KL(p || q) between categorical distributions."""

import torch
import torch.nn.functional as F
from torch import Tensor

FUNCTION = "kl_divergence"
DOCSTRING = """KL(p || q) between rows of categorical distributions, in nats.

Args:
    p: (B, K) probabilities, each row sums to 1; entries may be exactly 0.
    q: (B, K) probabilities, each row sums to 1; all entries > 0.

Returns:
    A 0-dim tensor with the dtype of p: the MEAN over the B rows of
        KL(p || q) = sum_k p_k log(p_k / q_k)        (natural log; summed over K)
    This is F.kl_div(q.log(), p, reduction='batchmean'). Note the argument order of
    F.kl_div: (log of the SECOND distribution, the first). Its default reduction='mean'
    divides by B * K, which is not the KL.

Numerics: 0 * log 0 = 0: a row of p with zeros must give a finite KL (not nan).

Checked: values and the gradients w.r.t. p and q.
"""
REFERENCE = "torch.nn.functional.kl_div(q.log(), p, reduction='batchmean')"
BUILTIN = ("kl_div",)  # computes this whole loss: an attempt that calls it passes, and is told so
CASES = [
    "one row, 3 categories",
    "batch of 8, 10 categories",
    "p equals q (zero)",
    "p with zeros (0 log 0 = 0)",
    "float64",
]
STABILITY = {"p with zeros (0 log 0 = 0)"}
NO_GRAD = {"p with zeros (0 log 0 = 0)"}
GRAD = ("p", "q")


def kl_divergence(p: Tensor, q: Tensor) -> Tensor:
    terms = torch.xlogy(p, p) - p * q.log()  # xlogy(0, 0) = 0
    return terms.sum(dim=1).mean()


def reference(p, q):
    return F.kl_div(q.log(), p, reduction="batchmean")


def inputs(gen, case):
    def simplex(b, k, dtype=torch.float32, scale=1.0):
        return (torch.randn(b, k, generator=gen, dtype=dtype) * scale).softmax(dim=1)

    if case == "one row, 3 categories":
        return {"p": simplex(1, 3), "q": simplex(1, 3)}
    if case == "batch of 8, 10 categories":
        return {"p": simplex(8, 10, scale=2.0), "q": simplex(8, 10)}
    if case == "p equals q (zero)":
        p = simplex(4, 5)
        return {"p": p, "q": p.clone()}
    if case == "p with zeros (0 log 0 = 0)":
        p = torch.tensor([[0.5, 0.5, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
        return {"p": p, "q": simplex(3, 4)}
    if case == "float64":
        return {"p": simplex(6, 7, torch.float64, 2.0), "q": simplex(6, 7, torch.float64, 2.0)}
    raise ValueError(case)


def _reverse(p, q):
    return F.kl_div(p.log(), q, reduction="batchmean")


def _mean_over_elements(p, q):
    return F.kl_div(q.log(), p, reduction="mean")


MISTAKES = {
    "that is KL(q || p): the arguments are swapped (forward vs reverse KL are different numbers)": _reverse,
    "F.kl_div's default reduction='mean' divides by B * K: the KL sums over K (then means over rows)": (
        _mean_over_elements
    ),
}


def from_snippet(example, snippet):
    return {"p": example["p"][None], "q": example["q"][None]}
