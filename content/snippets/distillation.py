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
        "logits": torch.tensor([[1.0, 1.0]]),
        "teacher_logits": torch.tensor([[4.0, 0.0]]),
        "target": torch.tensor([0]),
        "temperature": 2.0,
        "alpha": 0.5,
    }


def problem(rng: random.Random):
    # K = 2 classes so the soft term is workable by hand with the given() values; the student's
    # and the teacher's logit gaps differ by >= 2 so the KL is never negligible.
    t_gap = rng.choice([-5, -4, -3, -2, 2, 3, 4, 5])
    s_gap = rng.choice([g for g in range(-3, 4) if abs(g - t_gap) >= 2])
    return {
        "logits": torch.tensor([[0.0, float(s_gap)]]),
        "teacher_logits": torch.tensor([[0.0, float(t_gap)]]),
        "target": torch.tensor([rng.randrange(2)]),
        "temperature": rng.choice([2.0, 3.0, 4.0]),
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


def given(logits, teacher_logits, target, temperature=2.0, alpha=0.5):
    """sigma and log-sigma of the logit gaps at temperature T (two classes: softmax = sigmoid of the gap)."""
    out = {}
    for z in (teacher_logits, logits):
        x = ((z[0, 1] - z[0, 0]) / temperature).double().item() + 0.0  # -0.0 reads as 0
        xt = torch.tensor(x, dtype=torch.float64)
        out[f"σ({x:g})"] = round(torch.sigmoid(xt).item(), 5)
        out[f"ln σ({x:g})"] = round(F.logsigmoid(xt).item(), 5)
        if x != 0:  # at 0, ln σ(−0) is ln σ(0), already given
            out[f"ln σ({-x:g})"] = round(F.logsigmoid(-xt).item(), 5)
    return out


def mistakes(logits, teacher_logits, target, temperature=2.0, alpha=0.5):
    t = temperature
    right = loss(logits, teacher_logits, target, t, alpha)["value"]
    p_t = _log_softmax(teacher_logits / t).exp()
    log_p_t = _log_softmax(teacher_logits / t)
    log_q = _log_softmax(logits / t)
    reverse = (log_q.exp() * (log_q - log_p_t)).sum(dim=-1).mean() * t**2
    ce_soft = -(p_t * log_q).sum(dim=-1).mean() * t**2
    out = {}
    for msg, soft in (
        ("missing the T² factor", right["soft"] / t**2),
        ("that is KL(student ‖ teacher), the reverse direction", reverse),
        ("that is the cross-entropy to the soft targets; the KL subtracts the teacher's entropy", ce_soft),
    ):
        out[msg] = {"soft": soft, "hard": right["hard"], "total": alpha * soft + (1 - alpha) * right["hard"]}
    return out


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
