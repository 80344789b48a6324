"""What the non-saturating generator loss minimises, against an optimal D (Arjovsky & Bottou 2017, Thm 2.5).

p = p_data over 4 points, q = p_g = softmax(theta). With D*(x) = p/(p + q) held fixed at the current
theta, the non-saturating loss L_ns(theta) = E_{x~q}[-log D*(x)] has gradient
    grad_theta L_ns = grad_theta [ KL(q || p) - 2 JS(p, q) ]
(the reverse KL, which punishes fakes where data is absent far more than missing modes, minus a JS
that pushes the wrong way): the source of mode dropping and instability with a strong D. For
contrast, the minimax loss E_{x~q}[log(1 - D*(x))] has gradient grad 2 JS(p, q) (Goodfellow 2014).
From scratch (softmax Jacobian): grad_theta E_q[f] = q * (f - E_q f) for fixed f.
Reference: torch autograd of KL(q||p) - 2 JS(p, q), each divergence built from F.kl_div.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "autograd of KL(q||p) - 2 JS(p, q) (F.kl_div) w.r.t. the generator's logits"


def example():
    return {"p": torch.tensor([0.4, 0.4, 0.1, 0.1]), "theta": torch.tensor([1.0, 0.0, 0.0, -1.0])}


def problem(rng: random.Random):
    raw = torch.tensor([rng.choice([1.0, 2.0, 3.0, 4.0]) for _ in range(4)])
    return {"p": raw / raw.sum(), "theta": torch.tensor([rng.randint(-4, 4) / 2 for _ in range(4)])}


def loss(p, theta):
    q = torch.softmax(theta, dim=0)
    d_star = p / (p + q)
    f_ns = -torch.log(d_star)           # -log D*, held fixed
    f_mm = torch.log(1 - d_star)        # log(1 - D*), held fixed
    grad_ns = q * (f_ns - (q * f_ns).sum())
    grad_mm = q * (f_mm - (q * f_mm).sum())
    return {
        "q_generator": q,
        "d_star": d_star,
        "grad_minimax_equals_grad_2JS": grad_mm,
        "value": grad_ns,
    }


def _kl(a, b):
    return F.kl_div(b.log(), a, reduction="sum")  # sum a (log a - log b) = KL(a || b)


def reference(p, theta):
    th = theta.clone().double().requires_grad_(True)
    q = torch.softmax(th, dim=0)
    pp = p.double()
    m = (pp + q) / 2
    js = 0.5 * _kl(pp, m) + 0.5 * _kl(q, m)
    (grad,) = torch.autograd.grad(_kl(q, pp) - 2 * js, th)
    return grad.float()


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
