"""Practice task for card 'kto': the KTO loss (unpaired desirable / undesirable examples)."""

import torch
from torch import Tensor

FUNCTION = "kto_loss"
DOCSTRING = """KTO loss (Ethayarajh et al. 2024), laid out as TRL's KTOTrainer.kto_loss.

Args:
    policy_chosen_logps, ref_chosen_logps: (Nd,) sequence log-probs of the DESIRABLE examples
        under the policy and the frozen reference.
    policy_rejected_logps, ref_rejected_logps: (Nu,) the same for the UNDESIRABLE examples.
    policy_kl_logps, ref_kl_logps: (Nk,) log-probs of MISMATCHED pairs (x, y') (a response
        to another prompt), used only for the reference point z0.
    beta: Default 0.1.   desirable_weight, undesirable_weight: lambda_D, lambda_U. Default 1.0 each
        (TRL's KTOConfig).

Returns:
    A 0-dim tensor with the dtype of policy_chosen_logps:
        z0   = max(0, mean(policy_kl_logps - ref_kl_logps)), DETACHED (a constant: no gradient)
        r    = policy_logps - ref_logps                        (per example, the implicit reward)
        v(D) = lambda_D sigmoid(beta (r - z0)),   v(U) = lambda_U sigmoid(beta (z0 - r))
        loss = the MEAN over all Nd + Nu examples of lambda_y - v(x, y)

Checked: values and the gradients w.r.t. the three policy log-prob vectors (zero for the KL ones).
"""
REFERENCE = "lambda * sigmoid(-x), sigmoid as the autograd derivative of softplus (z0 detached)"
CASES = [
    "2 desirable, 1 undesirable",
    "batch of 16 + 8",
    "policy below reference on the KL pairs (z0 = 0)",
    "beta 0.5, weights 1.33 / 1.0",
    "float64",
]
STABILITY: set[str] = set()
NO_GRAD: set[str] = set()
GRAD = ("policy_chosen_logps", "policy_rejected_logps", "policy_kl_logps")


def kto_loss(
    policy_chosen_logps: Tensor,
    ref_chosen_logps: Tensor,
    policy_rejected_logps: Tensor,
    ref_rejected_logps: Tensor,
    policy_kl_logps: Tensor,
    ref_kl_logps: Tensor,
    beta: float = 0.1,
    desirable_weight: float = 1.0,
    undesirable_weight: float = 1.0,
) -> Tensor:
    z0 = (policy_kl_logps - ref_kl_logps).mean().clamp(min=0).detach()
    r_desirable = policy_chosen_logps - ref_chosen_logps
    r_undesirable = policy_rejected_logps - ref_rejected_logps
    losses = torch.cat(
        [
            desirable_weight * (1 - torch.sigmoid(beta * (r_desirable - z0))),
            undesirable_weight * (1 - torch.sigmoid(beta * (z0 - r_undesirable))),
        ]
    )
    return losses.mean()


def reference(
    policy_chosen_logps,
    ref_chosen_logps,
    policy_rejected_logps,
    ref_rejected_logps,
    policy_kl_logps,
    ref_kl_logps,
    beta=0.1,
    desirable_weight=1.0,
    undesirable_weight=1.0,
):
    # A second route: lambda - lambda*sigmoid(x) = lambda*sigmoid(-x), and sigmoid is the derivative
    # of softplus, taken by autograd (create_graph keeps it differentiable for the gradient check).
    with torch.no_grad():
        z0 = torch.relu((policy_kl_logps - ref_kl_logps).mean())
    x = torch.cat([
        beta * ((policy_chosen_logps - ref_chosen_logps) - z0),
        beta * (z0 - (policy_rejected_logps - ref_rejected_logps)),
    ])
    at = -x
    if not at.requires_grad:
        at = at.detach().requires_grad_(True)
    (sigmoid_at,) = torch.autograd.grad(torch.nn.functional.softplus(at).sum(), at, create_graph=True)
    weights = torch.cat([
        torch.full_like(policy_chosen_logps, desirable_weight),
        torch.full_like(policy_rejected_logps, undesirable_weight),
    ])
    return (weights * sigmoid_at).mean()


def inputs(gen, case):
    def logps(n, dtype, lo=-30.0, hi=-5.0):
        return lo + torch.rand(n, generator=gen, dtype=dtype) * (hi - lo)

    def draw(nd, nu, nk, dtype=torch.float32, kl_shift=1.0):
        ref_kl = logps(nk, dtype, -40.0, -20.0)
        return {
            "policy_chosen_logps": logps(nd, dtype),
            "ref_chosen_logps": logps(nd, dtype),
            "policy_rejected_logps": logps(nu, dtype),
            "ref_rejected_logps": logps(nu, dtype),
            "policy_kl_logps": ref_kl + kl_shift * torch.rand(nk, generator=gen, dtype=dtype) * 4,
            "ref_kl_logps": ref_kl,
        }

    if case == "2 desirable, 1 undesirable":
        return draw(2, 1, 3)
    if case == "batch of 16 + 8":
        return draw(16, 8, 24)
    if case == "policy below reference on the KL pairs (z0 = 0)":
        return draw(4, 4, 8, kl_shift=-1.0)
    if case == "beta 0.5, weights 1.33 / 1.0":
        return {**draw(5, 3, 8), "beta": 0.5, "desirable_weight": 1.33, "undesirable_weight": 1.0}
    if case == "float64":
        return draw(6, 4, 10, dtype=torch.float64)
    raise ValueError(case)


def _no_reference_point(
    policy_chosen_logps,
    ref_chosen_logps,
    policy_rejected_logps,
    ref_rejected_logps,
    policy_kl_logps,
    ref_kl_logps,
    beta=0.1,
    desirable_weight=1.0,
    undesirable_weight=1.0,
):
    zeros = torch.zeros_like(policy_kl_logps)
    return reference(
        policy_chosen_logps,
        ref_chosen_logps,
        policy_rejected_logps,
        ref_rejected_logps,
        zeros,
        zeros,
        beta,
        desirable_weight,
        undesirable_weight,
    )


MISTAKES = {
    "the reference point z0 = max(0, mean(policy_kl_logps - ref_kl_logps)) is missing": _no_reference_point,
}
