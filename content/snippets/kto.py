"""KTO loss, from scratch, against sigma read off as the autograd derivative of F.softplus.

Unpaired data: each example is desirable (D) or undesirable (U) on its own (Ethayarajh et al. 2024).
  r(x,y) = log pi(y|x) - log pi_ref(y|x)                 (implicit reward, natural log)
  z0     = max(0, mean over *mismatched* pairs (x, y') of [log pi(y'|x) - log pi_ref(y'|x)])
           a batch estimate of KL(pi || pi_ref), detached: the prospect-theory reference point
  v(D)   = lambda_D sigma(beta (r - z0)),   v(U) = lambda_U sigma(beta (z0 - r))
  L      = mean over all examples of lambda_y - v(x,y)
Defaults as TRL's KTOConfig: beta = 0.1, desirable_weight = undesirable_weight = 1.0.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "lambda * sigma(-x), with sigma taken as the autograd derivative of F.softplus"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-10.0, -14.0]),  # desirable examples
        "ref_chosen_logps": torch.tensor([-12.0, -13.0]),
        "policy_rejected_logps": torch.tensor([-16.0]),  # undesirable examples
        "ref_rejected_logps": torch.tensor([-12.0]),
        "policy_kl_logps": torch.tensor([-30.0, -25.0, -28.0]),  # y' from another prompt
        "ref_kl_logps": torch.tensor([-31.0, -25.0, -29.0]),
        "beta": 0.1,
        "desirable_weight": 1.0,
        "undesirable_weight": 1.0,
    }


def problem(rng: random.Random):
    def draw(n, lo, hi):
        return torch.tensor([float(rng.randint(lo, hi)) for _ in range(n)])

    # mismatched pairs: the policy has drifted a little from the reference, so z0 > 0 usually
    ref_kl = draw(3, -35, -20)
    policy_kl = ref_kl + draw(3, -1, 3)
    return {
        "policy_chosen_logps": draw(2, -20, -5),
        "ref_chosen_logps": draw(2, -20, -5),
        "policy_rejected_logps": draw(1, -20, -5),
        "ref_rejected_logps": draw(1, -20, -5),
        "policy_kl_logps": policy_kl,
        "ref_kl_logps": ref_kl,
        "beta": rng.choice([0.1, 0.5]),
        "desirable_weight": 1.0,
        "undesirable_weight": 1.0,
    }


def loss(policy_chosen_logps, ref_chosen_logps, policy_rejected_logps, ref_rejected_logps,
         policy_kl_logps, ref_kl_logps, beta=0.1, desirable_weight=1.0, undesirable_weight=1.0):
    z0 = (policy_kl_logps - ref_kl_logps).mean().clamp(min=0).detach()
    r_desirable = policy_chosen_logps - ref_chosen_logps
    r_undesirable = policy_rejected_logps - ref_rejected_logps
    v_desirable = desirable_weight * torch.sigmoid(beta * (r_desirable - z0))
    v_undesirable = undesirable_weight * torch.sigmoid(beta * (z0 - r_undesirable))
    per_example = torch.cat([desirable_weight - v_desirable, undesirable_weight - v_undesirable])
    return {
        "z0_kl_estimate": z0,
        "r_desirable": r_desirable,
        "r_undesirable": r_undesirable,
        "v_desirable": v_desirable,
        "v_undesirable": v_undesirable,
        "per_example": per_example,
        "value": per_example.mean(),
    }


def reference(policy_chosen_logps, ref_chosen_logps, policy_rejected_logps, ref_rejected_logps,
              policy_kl_logps, ref_kl_logps, beta=0.1, desirable_weight=1.0, undesirable_weight=1.0):
    """A second route: lambda - lambda*sigma(x) = lambda*sigma(-x), and sigma is the derivative of
    softplus, so each per-example loss is lambda * d softplus/dx at -x, taken by autograd through
    F.softplus; z0 = relu(mean of the mismatched log-ratios), taken as a constant."""
    z0 = F.relu(torch.mean(policy_kl_logps - ref_kl_logps)).item()
    x_desirable = beta * ((policy_chosen_logps - ref_chosen_logps) - z0)
    x_undesirable = beta * (z0 - (policy_rejected_logps - ref_rejected_logps))
    at = torch.cat([-x_desirable, -x_undesirable]).detach().requires_grad_(True)
    (sigmoid_at,) = torch.autograd.grad(F.softplus(at).sum(), at)
    weights = torch.cat([torch.full_like(x_desirable, desirable_weight),
                         torch.full_like(x_undesirable, undesirable_weight)])
    return (weights * sigmoid_at).mean()


def mistakes(policy_chosen_logps, ref_chosen_logps, policy_rejected_logps, ref_rejected_logps,
             policy_kl_logps, ref_kl_logps, beta=0.1, desirable_weight=1.0, undesirable_weight=1.0):
    r_d = policy_chosen_logps - ref_chosen_logps
    r_u = policy_rejected_logps - ref_rejected_logps
    z0 = (policy_kl_logps - ref_kl_logps).mean().clamp(min=0)

    def total(z, sign_u=1.0):
        d = desirable_weight * (1 - torch.sigmoid(beta * (r_d - z)))
        u = undesirable_weight * (1 - torch.sigmoid(sign_u * beta * (z - r_u)))
        return torch.cat([d, u]).mean()

    return {
        "no reference point (z0 = 0)": total(torch.zeros(())),
        "undesirable examples scored like desirable ones: their value is σ(β(z0 − r))": total(z0, -1.0),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
