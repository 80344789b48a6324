"""L2 regularisation vs decoupled weight decay, from scratch, on f(w) = 1/2 a (w - c)^2, against
the closed form of the SGD recursions and torch's own Adam/AdamW update function.

L2 penalty: add (wd/2) w^2 to the loss, so the gradient becomes g + wd w.
Decoupled decay (Loshchilov & Hutter, 2019; torch AdamW): w <- w (1 - lr wd), then the
optimiser step on g alone.
- SGD: w - lr (g + wd w) == w (1 - lr wd) - lr g -- identical (up to how wd is scaled by lr).
- Adam: with L2, wd w goes through m / (sqrt(v) + eps), so the decay is rescaled per weight
  (weights with large gradient history are decayed LESS); AdamW decays every weight at the same
  rate lr wd. Adam defaults: betas = (0.9, 0.999), eps = 1e-8.
torch AdamW does param.mul_(1 - lr * wd): the per-step decay is lr * wd, so the best wd moves
with lr (only the paper's eta_t * lambda parametrisation decouples lambda from Adam's alpha).
torch.optim.Adam(weight_decay) is L2; Adam(decoupled_weight_decay=True) == AdamW.

Reference: SGD on a quadratic is a linear recursion, w_t = w* + (w0 - w*) (1 - lr (a + wd))^t with
w* = a c / (a + wd), for both forms. Adam/AdamW: torch.optim.adam._single_tensor_adam, the function
torch.optim.Adam and AdamW run per tensor (foreach=False), called directly because the first
torch.optim.Optimizer construction imports torch._dynamo (seconds) — too slow for a drill.
"""

import math
import random

import torch

REFERENCE = "SGD: closed form of the linear recursion; Adam / AdamW: torch.optim.adam._single_tensor_adam"


def example():
    return {"w0": 1.0, "a": 4.0, "c": 2.0, "lr": 0.1, "wd": 0.5, "steps": 5}


def problem(rng: random.Random):
    return {"w0": rng.randint(-20, 20) / 10, "a": rng.choice([0.5, 1.0, 4.0]),
            "c": rng.randint(-20, 20) / 10, "lr": rng.choice([0.01, 0.1]),
            "wd": rng.choice([0.01, 0.1, 0.5]), "steps": rng.choice([1, 3, 10])}


def _adam(w0, a, c, lr, wd, steps, decoupled, b1=0.9, b2=0.999, eps=1e-8):
    w, m, v = w0, 0.0, 0.0
    for t in range(1, steps + 1):
        g = a * (w - c)
        if decoupled:
            w = w * (1 - lr * wd)  # AdamW: decay outside the adaptive step
        else:
            g = g + wd * w  # L2: decay inside the gradient, then rescaled by Adam
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps)
    return w


def _t(x):
    return torch.tensor(x, dtype=torch.float64)


def loss(w0, a, c, lr, wd, steps):
    w_l2, w_dec = w0, w0
    for _ in range(steps):
        w_l2 = w_l2 - lr * (a * (w_l2 - c) + wd * w_l2)  # gradient of f + (wd/2) w^2
        w_dec = w_dec * (1 - lr * wd) - lr * a * (w_dec - c)  # decoupled decay
    adam_l2 = _adam(w0, a, c, lr, wd, steps, decoupled=False)
    adamw = _adam(w0, a, c, lr, wd, steps, decoupled=True)
    return {
        "sgd_gap": _t(abs(w_l2 - w_dec)),
        "adam_gap": _t(abs(adam_l2 - adamw)),
        "value": {"sgd_l2": _t(w_l2), "sgd_decoupled": _t(w_dec), "adam_l2": _t(adam_l2),
                  "adamw": _t(adamw)},
    }


def _torch_adam(w0, a, c, lr, wd, steps, decoupled):
    """torch's per-tensor Adam update (what Adam / AdamW run with foreach=False)."""
    w = torch.tensor([w0], dtype=torch.float64)
    m, v, step = torch.zeros_like(w), torch.zeros_like(w), torch.tensor(0.0)
    try:
        from torch.optim.adam import _single_tensor_adam
    except ImportError:  # private API moved: fall back to the (slow to construct) public optimiser
        cls = torch.optim.AdamW if decoupled else torch.optim.Adam
        p = w.clone().requires_grad_(True)
        opt = cls([p], lr=lr, weight_decay=wd)
        for _ in range(steps):
            opt.zero_grad()
            (0.5 * a * (p - c) ** 2).sum().backward()
            opt.step()
        return p.detach()[0]
    for _ in range(steps):
        grad = a * (w - c)
        _single_tensor_adam([w], [grad], [m], [v], [], [step], None, None, amsgrad=False,
                            has_complex=False, beta1=0.9, beta2=0.999, lr=lr, weight_decay=wd,
                            eps=1e-8, maximize=False, capturable=False, differentiable=False,
                            decoupled_weight_decay=decoupled)
    return w[0]


def reference(w0, a, c, lr, wd, steps):
    w_star = a * c / (a + wd)
    sgd = _t(w_star + (w0 - w_star) * (1 - lr * (a + wd)) ** steps)
    return {
        "sgd_l2": sgd,
        "sgd_decoupled": sgd,
        "adam_l2": _torch_adam(w0, a, c, lr, wd, steps, decoupled=False),
        "adamw": _torch_adam(w0, a, c, lr, wd, steps, decoupled=True),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
