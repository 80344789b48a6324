"""Token-level distillation divergences for LLMs, from scratch, against torch.distributions.kl_divergence.

Per position, teacher p = softmax(teacher_logits), student q = softmax(logits) over the vocabulary
(natural log, mean over positions):
  forward KL(p || q) = sum_v p (log p - log q)   classic KD / SFT on teacher samples: mass-covering,
                                                 the student must put mass wherever the teacher does
  reverse KL(q || p) = sum_v q (log q - log p)   MiniLLM (Gu et al. 2024): mode-seeking, the student may
                                                 drop teacher modes it cannot fit
  generalised JSD_beta = beta KL(p || m) + (1 - beta) KL(q || m),  m = beta p + (1 - beta) q
                                                 GKD (Agarwal et al. 2024, Eq. 1); TRL GKDTrainer beta:
                                                 0 -> forward KL, 1 -> reverse KL (special-cased), default 0.5
GKD's other ingredient is on-policy data: a fraction lambda of the sequences are sampled from the
student, and the divergence is taken on those tokens.
"""

import random

import torch
from torch.distributions import Categorical, kl_divergence

REFERENCE = "torch.distributions.kl_divergence on Categorical(logits=...) (mixture for the JSD)"


def example():
    return {
        "logits": torch.tensor([[2.0, 1.0, 0.0], [0.0, 0.0, 0.0]]),
        "teacher_logits": torch.tensor([[3.0, 0.0, 0.0], [2.0, 2.0, -2.0]]),
        "beta": 0.5,
    }


def problem(rng: random.Random):
    def row():
        return [float(rng.randint(-2, 3)) for _ in range(3)]

    return {
        "logits": torch.tensor([row() for _ in range(2)]),
        "teacher_logits": torch.tensor([row() for _ in range(2)]),
        "beta": rng.choice([0.1, 0.5, 0.9]),
    }


def _log_softmax(z):
    return z - z.logsumexp(dim=1, keepdim=True)


def loss(logits, teacher_logits, beta=0.5):
    log_q, log_p = _log_softmax(logits), _log_softmax(teacher_logits)
    q, p = log_q.exp(), log_p.exp()
    forward = (p * (log_p - log_q)).sum(dim=1)
    reverse = (q * (log_q - log_p)).sum(dim=1)
    log_m = torch.log(beta * p + (1 - beta) * q)
    jsd = beta * (p * (log_p - log_m)).sum(dim=1) + (1 - beta) * (q * (log_q - log_m)).sum(dim=1)
    return {
        "teacher_probs": p,
        "student_probs": q,
        "forward_kl_per_token": forward,
        "reverse_kl_per_token": reverse,
        "value": {"forward_kl": forward.mean(), "reverse_kl": reverse.mean(), "jsd": jsd.mean()},
    }


def reference(logits, teacher_logits, beta=0.5):
    p = Categorical(logits=teacher_logits, validate_args=False)
    q = Categorical(logits=logits, validate_args=False)
    m = Categorical(probs=beta * p.probs + (1 - beta) * q.probs, validate_args=False)
    return {
        "forward_kl": kl_divergence(p, q).mean(),
        "reverse_kl": kl_divergence(q, p).mean(),
        "jsd": (beta * kl_divergence(p, m) + (1 - beta) * kl_divergence(q, m)).mean(),
    }


def mistakes(logits, teacher_logits, beta=0.5):
    right = loss(logits, teacher_logits, beta)["value"]
    return {
        "the two directions swapped: forward is KL(teacher ‖ student)": {
            "forward_kl": right["reverse_kl"], "reverse_kl": right["forward_kl"], "jsd": right["jsd"]},
    }


def plot():
    # Bimodal teacher, unimodal student q = N(mu, 1) on a grid: forward KL wants mu in the middle,
    # reverse KL wants mu on a mode.
    x = torch.linspace(-6, 6, 241)
    teacher = torch.exp(-0.5 * (x + 2.5) ** 2) + torch.exp(-0.5 * (x - 2.5) ** 2)
    teacher = teacher / teacher.sum()
    mus = torch.linspace(-4, 4, 81)
    fwd, rev = [], []
    for mu in mus:
        q = torch.exp(-0.5 * (x - mu) ** 2)
        q = q / q.sum()
        fwd.append(float((teacher * (teacher.log() - q.log())).sum()))
        rev.append(float((q * (q.log() - teacher.log())).sum()))
    return {
        "title": "Fitting a one-mode student to a two-mode teacher",
        "x_label": "student mean mu",
        "y_label": "divergence",
        "series": [
            {"name": "forward KL(p || q)", "x": mus.tolist(), "y": fwd},
            {"name": "reverse KL(q || p)", "x": mus.tolist(), "y": rev},
        ],
        "note": "Forward KL is smallest between the modes (mass-covering); reverse KL is smallest on "
        "either mode (mode-seeking, as MiniLLM wants for a small student).",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
