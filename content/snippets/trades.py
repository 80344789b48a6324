"""TRADES adversarial-training objective (Zhang et al., ICML 2019), from scratch, against the
official code's F.kl_div form.

    L = CE(f(x), y) + beta * KL( softmax(f(x)) || softmax(f(x')) ),   batch mean
x' is found by PGD that MAXIMISES the same KL inside the eps-ball (official CIFAR-10 settings:
eps = 0.031, step 0.007, 10 steps, beta = 6.0, x' started at x + 0.001 N(0, 1)).
The official code: criterion_kl = nn.KLDivLoss(size_average=False);
loss_robust = (1 / batch_size) * criterion_kl(F.log_softmax(model(x_adv)), F.softmax(model(x_natural)))
i.e. KL(p_nat || p_adv) with 'batchmean'. Madry et al.'s PGD-AT instead minimises CE(f(x'), y)
with x' from PGD on the CE; TRADES trades natural accuracy against robustness through beta.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy(logits, y) + beta * F.kl_div(F.log_softmax(logits_adv), F.softmax(logits), 'batchmean')"


def example():
    return {
        "logits": torch.tensor([[2.0, 0.0], [0.0, 1.0]]),
        "logits_adv": torch.tensor([[0.5, 0.5], [1.0, 0.0]]),
        "target": torch.tensor([0, 1]),
        "beta": 6.0,
    }


def problem(rng: random.Random):
    z = [float(rng.randint(0, 3)), 0.0]
    za = [z[0] - float(rng.randint(1, 3)), 0.0]
    return {
        "logits": torch.tensor([z]),
        "logits_adv": torch.tensor([za]),
        "target": torch.tensor([0]),
        "beta": rng.choice([1.0, 6.0]),
    }


def loss(logits, logits_adv, target, beta=6.0):
    log_p_nat = logits - logits.logsumexp(dim=1, keepdim=True)
    log_p_adv = logits_adv - logits_adv.logsumexp(dim=1, keepdim=True)
    natural = -log_p_nat.gather(1, target[:, None]).mean()
    kl = (log_p_nat.exp() * (log_p_nat - log_p_adv)).sum(dim=1).mean()
    return {
        "p_natural": log_p_nat.exp(),
        "p_adversarial": log_p_adv.exp(),
        "natural_ce": natural,
        "kl_nat_adv": kl,
        "value": {"natural_ce": natural, "robust_kl": kl, "total": natural + beta * kl},
    }


def reference(logits, logits_adv, target, beta=6.0):
    ce = F.cross_entropy(logits, target)
    kl = F.kl_div(F.log_softmax(logits_adv, dim=1), F.softmax(logits, dim=1), reduction="batchmean")
    return {"natural_ce": ce, "robust_kl": kl, "total": ce + beta * kl}


def mistakes(logits, logits_adv, target, beta=6.0):
    right = reference(logits, logits_adv, target, beta)
    rev = F.kl_div(F.log_softmax(logits, dim=1), F.softmax(logits_adv, dim=1), reduction="batchmean")
    ce_adv = F.cross_entropy(logits_adv, target)
    return {
        "that is KL(p_adv ‖ p_nat), the reverse direction": {
            **right, "robust_kl": rev, "total": right["natural_ce"] + beta * rev},
        "that is CE on the adversarial logits (Madry's PGD-AT), not TRADES": {
            **right, "total": ce_adv},
    }


def given(logits, logits_adv, target, beta=6.0):
    out = {}
    for z in (logits, logits_adv):
        x = (z[0, 0] - z[0, 1]).double().item() + 0.0  # -0.0 reads as 0
        xt = torch.tensor(x, dtype=torch.float64)
        out[f"σ({x:g})"] = round(torch.sigmoid(xt).item(), 5)
        out[f"ln σ({x:g})"] = round(F.logsigmoid(xt).item(), 5)
        if x != 0:  # at 0, ln σ(−0) is ln σ(0), already given
            out[f"ln σ({-x:g})"] = round(F.logsigmoid(-xt).item(), 5)
    return out


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
