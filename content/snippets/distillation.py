"""Knowledge-distillation loss (Hinton, Vinyals & Dean 2015), from scratch, against F.kl_div.

soft = T^2 * KL(softmax(t / T) || softmax(s / T))   (teacher t, student s; batch mean)
hard = CE(y, softmax(s))                            (T = 1, the true labels)
total = alpha * soft + (1 - alpha) * hard           (alpha weights the soft term here)
The T^2 keeps the soft-target gradients, which scale as 1/T^2, comparable as T changes.
F.kl_div(input, target) expects input = student LOG-probs and computes KL(target || input);
use reduction='batchmean' (plain 'mean' divides by N*C, not N) and log_target=True when the
teacher is given as log-probs.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "T**2 * F.kl_div(log_softmax(s/T), log_softmax(t/T), 'batchmean', log_target=True) + F.cross_entropy"


def example():
    return {
        "logits": torch.tensor([[1.0, 2.0, 0.0]]),
        "teacher_logits": torch.tensor([[4.0, 2.0, 0.0]]),
        "target": torch.tensor([0]),
        "temperature": 2.0,
        "alpha": 0.5,
    }


def problem(rng: random.Random):
    return {
        "logits": torch.tensor([[float(rng.randint(-2, 2)) for _ in range(3)]]),
        "teacher_logits": torch.tensor([[float(rng.randint(-2, 4)) for _ in range(3)]]),
        "target": torch.tensor([rng.randrange(3)]),
        "temperature": rng.choice([2.0, 4.0]),
        "alpha": 0.5,
    }


def _log_softmax(z):
    return z - z.logsumexp(dim=-1, keepdim=True)


def loss(logits, teacher_logits, target, temperature=2.0, alpha=0.5):
    t = temperature
    p_teacher = _log_softmax(teacher_logits / t).exp()
    log_q_student = _log_softmax(logits / t)
    kl = (p_teacher * (p_teacher.log() - log_q_student)).sum(dim=-1).mean()
    soft = t**2 * kl
    hard = -_log_softmax(logits).gather(1, target[:, None]).mean()
    return {
        "teacher_soft_probs": p_teacher,
        "student_soft_probs": log_q_student.exp(),
        "kl_teacher_student": kl,
        "soft_T2_kl": soft,
        "hard_ce": hard,
        "value": {"soft": soft, "hard": hard, "total": alpha * soft + (1 - alpha) * hard},
    }


def reference(logits, teacher_logits, target, temperature=2.0, alpha=0.5):
    t = temperature
    kl = F.kl_div(
        F.log_softmax(logits / t, dim=-1),
        F.log_softmax(teacher_logits / t, dim=-1),
        reduction="batchmean",
        log_target=True,
    )
    soft = t**2 * kl
    hard = F.cross_entropy(logits, target)
    return {"soft": soft, "hard": hard, "total": alpha * soft + (1 - alpha) * hard}


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
