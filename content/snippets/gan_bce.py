"""The original GAN losses on discriminator logits: D's BCE, the minimax and the non-saturating G loss.

Goodfellow et al. (2014). D(x) = sigmoid(l), l = the discriminator's logit. Means over the batch:
    L_D        = -mean log D(x_real) - mean log(1 - D(x_fake))
               =  mean softplus(-l_real) + mean softplus(l_fake)    (BCE: real -> 1, fake -> 0)
    L_G^mm     =  mean log(1 - D(x_fake))  = -mean softplus(l_fake)  (minimax: G minimises -L_D's fake term)
    L_G^ns     = -mean log D(x_fake)       =  mean softplus(-l_fake) (non-saturating: BCE of fakes vs label 1)
log sigmoid(l) = -softplus(-l) and log(1 - sigmoid(l)) = -softplus(l): computed on logits, never as
log(sigmoid(l)) (which is -inf in float32 once sigmoid underflows).
Reference: torch.nn.functional.binary_cross_entropy_with_logits with the labels above.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits (D: real->1, fake->0; G_ns: fake->1; G_mm: -BCE(fake->0))"
LN = {0.5: -0.4741, 1.0: -0.3133, 2.0: -0.1269, 3.0: -0.0486}  # log sigmoid(l) for l > 0 (4 d.p.)


def example():
    return {"logits_real": torch.tensor([2.0, 0.5]), "logits_fake": torch.tensor([-1.0, 0.0])}


def problem(rng: random.Random):
    choices = [-3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]
    return {
        "logits_real": torch.tensor([rng.choice(choices) for _ in range(2)]),
        "logits_fake": torch.tensor([rng.choice(choices) for _ in range(2)]),
    }


def _softplus(x):
    # softplus(x) = log(1 + e^x) = logaddexp(x, 0): stable, and its autograd is sigmoid(x) even at x = 0
    return torch.logaddexp(x, torch.zeros_like(x))


def loss(logits_real, logits_fake):
    d_real, d_fake = torch.sigmoid(logits_real), torch.sigmoid(logits_fake)
    real_term = _softplus(-logits_real)  # -log D(x_real)
    fake_term = _softplus(logits_fake)   # -log(1 - D(x_fake))
    return {
        "D_real_D_fake": torch.stack([d_real, d_fake]),
        "minus_log_D_real": real_term,
        "minus_log_one_minus_D_fake": fake_term,
        "value": {
            "d_loss": real_term.mean() + fake_term.mean(),
            "g_minimax": -fake_term.mean(),
            "g_non_saturating": _softplus(-logits_fake).mean(),
        },
    }


def reference(logits_real, logits_fake):
    bce = F.binary_cross_entropy_with_logits
    ones, zeros = torch.ones_like(logits_fake), torch.zeros_like(logits_fake)
    return {
        "d_loss": bce(logits_real, torch.ones_like(logits_real)) + bce(logits_fake, zeros),
        "g_minimax": -bce(logits_fake, zeros),
        "g_non_saturating": bce(logits_fake, ones),
    }


def given(logits_real, logits_fake):
    """log sigmoid at the problem's logits: ln σ(l) = -softplus(-l), ln(1 - σ(l)) = ln σ(-l)."""
    values = sorted({abs(float(v)) for v in torch.cat([logits_real, logits_fake])})
    out = {}
    for a in values:
        if a == 0:
            out["ln σ(0) = ln ½"] = -0.6931
        else:
            out[f"ln σ({a:g})"] = LN[a]
            out[f"ln σ(-{a:g})"] = round(LN[a] - a, 4)
    return out


def mistakes(logits_real, logits_fake):
    def parts(real_term, fake_term, g_fake_ns):
        return {"d_loss": real_term.mean() + fake_term.mean(), "g_minimax": -fake_term.mean(),
                "g_non_saturating": g_fake_ns.mean()}

    sp = F.softplus
    sums = {k: v * logits_fake.numel() for k, v in loss(logits_real, logits_fake)["value"].items()}
    return {
        "that is the sum over the batch; the card asks for the mean": sums,
        "labels swapped: real scored as 0 and fake as 1": parts(sp(logits_real), sp(-logits_fake), sp(logits_fake)),
        "probabilities passed where logits are expected (BCE on sigmoid(l) as if it were a logit)":
            parts(sp(-torch.sigmoid(logits_real)), sp(torch.sigmoid(logits_fake)), sp(-torch.sigmoid(logits_fake))),
        "log base 2 instead of ln": parts(sp(-logits_real) / 0.693147, sp(logits_fake) / 0.693147,
                                          sp(-logits_fake) / 0.693147),
    }


def plot():
    """The two generator losses and their gradients over D's logit on a fake."""
    l = torch.linspace(-6.0, 4.0, 201)
    return [
        {
            "title": "Generator loss over D's logit on a fake",
            "x_label": "logit l (D(G(z)) = sigmoid(l))",
            "y_label": "L_G (minimised)",
            "series": [
                {"name": "minimax log(1 - D) = -softplus(l)", "x": l.tolist(), "y": (-F.softplus(l)).tolist()},
                {"name": "non-saturating -log D = softplus(-l)", "x": l.tolist(), "y": F.softplus(-l).tolist()},
            ],
            "note": "At l << 0 (D rejects the fake) the minimax loss is flat; the NS loss is steep.",
        },
        {
            "title": "Generator gradient dL_G/dl",
            "x_label": "logit l",
            "y_label": "dL_G / dl",
            "series": [
                {"name": "minimax: -sigmoid(l)", "x": l.tolist(), "y": (-torch.sigmoid(l)).tolist()},
                {"name": "non-saturating: sigmoid(l) - 1", "x": l.tolist(), "y": (torch.sigmoid(l) - 1).tolist()},
            ],
            "note": "Both negative (push l up); only the NS gradient is large where G is worst.",
        },
    ]


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print("given:", given(**inputs))
