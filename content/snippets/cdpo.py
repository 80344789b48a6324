"""Conservative DPO (label smoothing) and robust DPO, from scratch, against the expectation over label flips.

If each preference label is flipped with probability eps, the expected DPO loss over the flip is
  cDPO = (1 - eps) * (-log sigma(beta h)) + eps * (-log sigma(-beta h))
(Mitchell 2023, "A note on DPO with noisy preferences"; TRL DPOConfig(label_smoothing=eps) with the
default loss_type="sigmoid"). It is BCE-with-logits on beta*h with the soft target 1 - eps, so its
optimum is a finite margin, sigma(beta h) = 1 - eps. rDPO (Chowdhury et al. 2024; TRL
loss_type="robust") instead debiases the noisy loss:
  rDPO = [(1 - eps)(-log sigma(beta h)) - eps(-log sigma(-beta h))] / (1 - 2 eps)
whose expectation under the noise equals the clean DPO loss. Here
h = (log pi(y_w) - log pi_ref(y_w)) - (log pi(y_l) - log pi_ref(y_l)), sequence log-probs, natural log.
Reference: average the DPO loss over the two labellings - as given (prob 1 - eps) and swapped
(prob eps, chosen and rejected exchanged) - each through F.binary_cross_entropy_with_logits.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "(1-eps) * DPO(pair) + eps * DPO(pair with chosen/rejected swapped), each via BCE-with-logits"


def example():
    return {
        "policy_chosen_logps": torch.tensor([-12.0]),
        "policy_rejected_logps": torch.tensor([-15.0]),
        "ref_chosen_logps": torch.tensor([-14.0]),
        "ref_rejected_logps": torch.tensor([-13.0]),
        "beta": 0.1,
        "label_smoothing": 0.1,
    }


def problem(rng: random.Random):
    while True:
        x = {
            "policy_chosen_logps": torch.tensor([float(rng.randint(-30, -5))]),
            "policy_rejected_logps": torch.tensor([float(rng.randint(-30, -5))]),
            "ref_chosen_logps": torch.tensor([float(rng.randint(-30, -5))]),
            "ref_rejected_logps": torch.tensor([float(rng.randint(-30, -5))]),
            "beta": rng.choice([0.1, 0.2, 0.5]),
            "label_smoothing": rng.choice([0.1, 0.2, 0.3]),
        }
        h = (x["policy_chosen_logps"] - x["ref_chosen_logps"]) - (x["policy_rejected_logps"] - x["ref_rejected_logps"])
        if float(h.abs()) >= 2:  # at h = 0 every variant gives log 2
            return x


def _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps):
    return (policy_chosen_logps - ref_chosen_logps) - (policy_rejected_logps - ref_rejected_logps)


def loss(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1, label_smoothing=0.0):
    eps = label_smoothing
    margin = beta * _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    as_labelled = F.softplus(-margin)  # -log sigma(m)
    flipped = F.softplus(margin)  # -log sigma(-m)
    cdpo = (1 - eps) * as_labelled + eps * flipped
    rdpo = ((1 - eps) * as_labelled - eps * flipped) / (1 - 2 * eps)
    return {
        "margin": margin,
        "dpo_as_labelled": as_labelled,
        "dpo_if_flipped": flipped,
        "rdpo": rdpo.mean(),
        "value": cdpo.mean(),
    }


def reference(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1, label_smoothing=0.0):
    def dpo(pc, pr, rc, rr):
        logits = beta * ((pc - pr) - (rc - rr))
        return F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))

    kept = dpo(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    swapped = dpo(policy_rejected_logps, policy_chosen_logps, ref_rejected_logps, ref_chosen_logps)
    return (1 - label_smoothing) * kept + label_smoothing * swapped


def given(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1, label_smoothing=0.0):
    h = _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    xs = set()
    for hv in h.tolist():
        m = round(beta * hv, 6)
        xs.update({m, -m})
    return {f"-ln σ({x:g})": round(float(F.softplus(torch.tensor(-x))), 4) for x in sorted(xs)}


def mistakes(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps, beta=0.1, label_smoothing=0.0):
    eps = label_smoothing
    m = beta * _h(policy_chosen_logps, policy_rejected_logps, ref_chosen_logps, ref_rejected_logps)
    a, f = F.softplus(-m), F.softplus(m)
    return {
        "that is rDPO (the debiased loss, ÷(1 − 2ε)); cDPO is the plain expectation over flips": (((1 - eps) * a - eps * f) / (1 - 2 * eps)).mean(),
        "ε and 1 − ε swapped": (eps * a + (1 - eps) * f).mean(),
        "ignored the label smoothing (plain DPO)": a.mean(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
