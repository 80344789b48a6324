"""DINO's self-distillation loss (Caron et al., 2021), from scratch, against
torch.nn.functional.cross_entropy with probability targets.

Teacher and student heads output K logits. The teacher's distribution is CENTERED and SHARPENED:
    P_t = softmax((t - c) / tau_t),   tau_t = 0.04 (official default; up to 0.07 after a linear warm-up)
    P_s = softmax(s / tau_s),         tau_s = 0.1
    L = mean over the batch of  - sum_k P_t,k log P_s,k         (gradient to the student only)
    c <- m c + (1 - m) mean_batch(t),  m = 0.9                   (center update, after the step)
Centering alone pushes toward the uniform distribution, sharpening alone toward one dimension
dominating: together they avoid collapse. The teacher is an EMA of the student (no gradient).
Multi-crop: the teacher sees only the 2 global crops, the student all crops, and pairs of the same
view are skipped; here one (teacher view, student view) pair per row.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy(s / tau_s, target = softmax((t - c) / tau_t))"


def example():
    return {"student": torch.tensor([[0.2, 0.1, -0.1], [0.0, 0.3, 0.1]]),
            "teacher": torch.tensor([[0.3, 0.1, 0.0], [0.1, 0.2, 0.2]]),
            "center": torch.tensor([0.1, 0.1, 0.0]),
            "tau_s": 0.1, "tau_t": 0.04}


def problem(rng: random.Random):
    def logits():
        return torch.tensor([[rng.randint(-5, 5) / 10 for _ in range(3)] for _ in range(2)])
    return {"student": logits(), "teacher": logits(),
            "center": torch.tensor([rng.randint(-2, 2) / 10 for _ in range(3)]),
            "tau_s": 0.1, "tau_t": rng.choice([0.04, 0.07])}


def loss(student, teacher, center, tau_s=0.1, tau_t=0.04, momentum=0.9):
    t_centered = teacher - center
    p_t = torch.exp(t_centered / tau_t - torch.logsumexp(t_centered / tau_t, dim=1, keepdim=True))
    log_p_s = student / tau_s - torch.logsumexp(student / tau_s, dim=1, keepdim=True)
    per_row = -(p_t * log_p_s).sum(dim=1)
    return {
        "teacher_probs_centered_sharpened": p_t,
        "student_log_probs": log_p_s,
        "per_row_cross_entropy": per_row,
        "next_center": momentum * center + (1 - momentum) * teacher.mean(dim=0),
        "value": per_row.mean(),
    }


def reference(student, teacher, center, tau_s=0.1, tau_t=0.04):
    target = F.softmax((teacher - center) / tau_t, dim=1)
    return F.cross_entropy(student / tau_s, target)


def mistakes(student, teacher, center, tau_s=0.1, tau_t=0.04):
    ce = lambda s, t: F.cross_entropy(s, F.softmax(t, dim=1))
    return {
        "the teacher was not centered: subtract c before the softmax": ce(student / tau_s, teacher / tau_t),
        "the temperatures are swapped: the teacher is the sharper one (τ_t = 0.04 < τ_s = 0.1)": ce(
            student / tau_t, (teacher - center) / tau_s),
        "the teacher was not sharpened: it uses τ_t, not τ_s": ce(student / tau_s, (teacher - center) / tau_s),
        "the center was subtracted from the student; it applies to the teacher": ce(
            (student - center) / tau_s, teacher / tau_t),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
