"""L2 regularisation vs decoupled weight decay, from scratch, against torch.optim
(SGD, SGD(weight_decay), Adam(weight_decay), AdamW) on f(w) = 1/2 a (w - c)^2.

L2 penalty: add (wd/2) w^2 to the loss, so the gradient becomes g + wd w.
Decoupled decay (Loshchilov & Hutter, 2019; torch AdamW): w <- w (1 - lr wd), then the
optimiser step on g alone.
- SGD: w - lr (g + wd w) == w (1 - lr wd) - lr g -- identical (up to how wd is scaled by lr).
- Adam: with L2, wd w goes through m / (sqrt(v) + eps), so the decay is rescaled per weight
  (weights with large gradient history are decayed LESS); AdamW decays every weight at the same
  rate lr wd. Adam defaults: betas = (0.9, 0.999), eps = 1e-8.
torch.optim.SGD(weight_decay=wd) adds wd * w to the gradient (the L2 form); that the manual
DECOUPLED update matches it is the point. torch.optim.Adam(weight_decay) is L2, AdamW decoupled.
"""

import math
import random

import torch

REFERENCE = "torch.optim.SGD / SGD(weight_decay) / Adam(weight_decay) / AdamW"


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


def _run(opt_cls, w0, a, c, steps, penalty, **kw):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    opt = opt_cls([w], **kw)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * a * (w - c) ** 2 + 0.5 * penalty * w**2).backward()
        opt.step()
    return w.detach()


def reference(w0, a, c, lr, wd, steps):
    return {
        "sgd_l2": _run(torch.optim.SGD, w0, a, c, steps, penalty=wd, lr=lr),
        "sgd_decoupled": _run(torch.optim.SGD, w0, a, c, steps, penalty=0.0, lr=lr, weight_decay=wd),
        "adam_l2": _run(torch.optim.Adam, w0, a, c, steps, penalty=0.0, lr=lr, weight_decay=wd),
        "adamw": _run(torch.optim.AdamW, w0, a, c, steps, penalty=0.0, lr=lr, weight_decay=wd),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
