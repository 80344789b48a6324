"""Binary (sigmoid) focal loss, alpha-balanced, from scratch, against a second route through
torch's two-class softmax cross-entropy with class weights.

FL = -alpha_t (1 - p_t)^gamma log(p_t)   (Lin et al. 2017, RetinaNet; alpha = 0.25, gamma = 2)
p_t = p if y = 1 else 1 - p;  alpha_t = alpha if y = 1 else 1 - alpha  (alpha weights POSITIVES,
as torchvision.ops.sigmoid_focal_loss and mmdetection's py_sigmoid_focal_loss).
gamma = 0 gives alpha-weighted BCE. Mean over elements here (torchvision's
sigmoid_focal_loss(reduction='mean')); RetinaNet sums over anchors and divides by the number
of foreground anchors.

Reference (a second route, no sigmoid, no hand-built alpha_t): a sigmoid logit z is the
two-class softmax over [0, z], so F.cross_entropy([0, z], y, reduction='none') is the per-element
BCE, exp(-CE) is p_t, and F.cross_entropy(..., weight=[1 - alpha, alpha]) applies alpha through
torch's own class-weight indexing (weight[target]); focal = weighted CE * (1 - exp(-CE))^gamma.
torchvision is not installable beside this CPU torch; tests/test_reference_classification.py also checks this
snippet against a transcription of torchvision's sigmoid_focal_loss and against limiting cases
(gamma = 0 is weighted BCE; alpha = 1 silences the negatives).
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "two-class F.cross_entropy on [0, z] with weight=[1-alpha, alpha]: weighted CE * (1 - exp(-CE))**gamma"


def example():
    # easy positive, easy negative, hard positive, hard negative
    return {
        "logits": torch.tensor([3.0, -3.0, -1.0, 1.0]),
        "y": torch.tensor([1.0, 0.0, 1.0, 0.0]),
        "alpha": 0.25,
        "gamma_focal": 2.0,
    }


def problem(rng: random.Random):
    # two elements; the first is a hard one (p_t <= 0.5), so the loss is never negligibly small
    y = [float(rng.randint(0, 1)) for _ in range(2)]
    hard = rng.randint(0, 25) / 10  # |z| of the misclassified (or borderline) element
    z0 = -hard if y[0] == 1 else hard
    z1 = rng.randint(-30, 30) / 10
    return {
        "logits": torch.tensor([z0, z1]),
        "y": torch.tensor(y),
        # alpha and gamma vary, so a formula that hard-codes 0.25 or ^2 fails (the RetinaNet defaults are one draw)
        "alpha": rng.choice([0.25, 0.25, 0.75]),
        "gamma_focal": rng.choice([2.0, 2.0, 1.0]),
    }


def loss(logits, y, alpha=0.25, gamma_focal=2.0):
    p = torch.sigmoid(logits)
    p_t = torch.where(y == 1, p, 1 - p)
    alpha_t = torch.where(y == 1, torch.full_like(p, alpha), torch.full_like(p, 1 - alpha))
    ce = -torch.log(p_t)
    modulating = (1 - p_t) ** gamma_focal  # ~0 for easy examples (p_t -> 1), ~1 for hard ones
    per_element = alpha_t * modulating * ce
    return {
        "p": p,
        "p_t": p_t,
        "alpha_t": alpha_t,
        "ce_per_element": ce,
        "modulating": modulating,
        "per_element": per_element,
        "weight_vs_plain_ce": alpha_t * modulating,
        "plain_bce_mean": ce.mean(),
        "value": per_element.mean(),
    }


def reference(logits, y, alpha=0.25, gamma_focal=2.0):
    two_class = torch.stack([torch.zeros_like(logits), logits], dim=1)  # softmax([0, z])[1] = sigmoid(z)
    cls = y.long()
    ce = F.cross_entropy(two_class, cls, reduction="none")
    weighted = F.cross_entropy(two_class, cls, weight=torch.tensor([1 - alpha, alpha]), reduction="none")
    return (weighted * (1 - torch.exp(-ce)) ** gamma_focal).mean()


def given(logits, y, alpha=0.25, gamma_focal=2.0):
    out = {}
    for z in logits.tolist():
        z += 0.0  # -0.0 reads as 0
        zt = torch.tensor(z, dtype=torch.float64)
        out[f"σ({z:g})"] = round(torch.sigmoid(zt).item(), 4)
        out[f"ln σ({z:g})"] = round(F.logsigmoid(zt).item(), 4)
        if z != 0:  # at 0, ln σ(−0) is ln σ(0), already given
            out[f"ln σ({-z:g}) = ln(1 − σ({z:g}))"] = round(F.logsigmoid(-zt).item(), 4)
    return out


def mistakes(logits, y, alpha=0.25, gamma_focal=2.0):
    p = torch.sigmoid(logits)
    p_t = torch.where(y == 1, p, 1 - p)
    ce = -torch.log(p_t)
    mod = (1 - p_t) ** gamma_focal
    alpha_t = torch.where(y == 1, torch.full_like(p, alpha), torch.full_like(p, 1 - alpha))
    return {
        "alpha applied to the wrong class: alpha = 0.25 weights the POSITIVES, 1 - alpha the negatives": (
            (1 - alpha_t) * mod * ce
        ).mean(),
        "alpha_t left out (that is the plain focal loss, alpha = 1)": (mod * ce).mean(),
        "alpha on every element: alpha weights the positives, the negatives (y = 0) get 1 - alpha": (
            alpha * mod * ce
        ).mean(),
        "modulating factor p_t^gamma instead of (1 - p_t)^gamma": (alpha_t * p_t**gamma_focal * ce).mean(),
        "that is the sum over elements; the card asks for the mean": (alpha_t * mod * ce).sum(),
    }


def plot():
    """Focal loss -(1 - p_t)^gamma log p_t over p_t for several gamma (gamma = 0 is CE)."""
    p_t = torch.linspace(0.02, 1.0, 197)
    ce = -torch.log(p_t)
    series = [{"name": "CE (gamma=0)", "x": p_t.tolist(), "y": ce.tolist()}]
    for gamma in (0.5, 1.0, 2.0, 5.0):
        series.append({"name": f"focal gamma={gamma:g}", "x": p_t.tolist(), "y": ((1 - p_t) ** gamma * ce).tolist()})
    return {
        "title": "Cross-entropy vs focal loss over p_t (alpha = 1)",
        "x_label": "p_t, probability of the true class",
        "y_label": "loss",
        "series": series,
        "note": "Well-classified examples (p_t > 0.6) are down-weighted more and more as gamma grows; "
        "hard ones (p_t near 0) keep almost all of their CE loss.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
