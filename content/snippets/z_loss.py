"""PaLM's z-loss, from scratch, against torch.logsumexp and F.cross_entropy.

For each position, Z = sum_j exp(z_j) is the softmax normaliser. Softmax CE is invariant to adding
a constant to all logits, so nothing in CE stops log Z from drifting; in bf16 large logits lose
precision and training can diverge. PaLM (Chowdhery et al. 2022, Sec. 5) adds
  z_loss = 1e-4 * log^2 Z         per token, averaged like the CE,
which pulls log Z towards 0 (the softmax then stays self-normalised). ST-MoE's router z-loss is
the same penalty on the router logits, (1/B) sum_i (logsumexp_j x_ij)^2 with coefficient 1e-3.
Value: {"ce", "z_loss", "total", "z_loss_over_coef"} (the z-loss in units of the coefficient,
so a numeric answer is O(1)); natural log.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy + coef * torch.logsumexp(logits, 1).pow(2).mean()"


def example():
    return {
        "logits": torch.tensor([[2.0, 1.0, 0.0], [7.0, 5.0, 5.0]]),
        "target": torch.tensor([0, 1]),
        "z_loss_coef": 1e-4,
    }


def problem(rng: random.Random):
    rows = []
    for _ in range(2):
        shift = rng.choice([0, 2, 4, 6])  # CE ignores the shift; the z-loss does not
        rows.append([float(rng.randint(-1, 2) + shift) for _ in range(3)])
    return {
        "logits": torch.tensor(rows),
        "target": torch.tensor([rng.randrange(3) for _ in range(2)]),
        "z_loss_coef": 1e-4,
    }


def _lse(logits):
    row_max = logits.max(dim=1, keepdim=True).values
    return row_max.squeeze(1) + (logits - row_max).exp().sum(dim=1).log()


def loss(logits, target, z_loss_coef=1e-4):
    log_z = _lse(logits)
    nll = log_z - logits.gather(1, target[:, None]).squeeze(1)
    z_term = z_loss_coef * log_z**2
    ce, z = nll.mean(), z_term.mean()
    return {
        "log_z": log_z,
        "token_nll": nll,
        "z_per_token": z_term,
        "value": {"ce": ce, "z_loss": z, "total": ce + z, "z_loss_over_coef": z / z_loss_coef},
    }


def reference(logits, target, z_loss_coef=1e-4):
    ce = F.cross_entropy(logits, target)
    z = z_loss_coef * torch.logsumexp(logits, dim=1).pow(2).mean()
    return {"ce": ce, "z_loss": z, "total": ce + z, "z_loss_over_coef": torch.logsumexp(logits, dim=1).pow(2).mean()}


def given(logits, target, z_loss_coef=1e-4):
    return {f"logsumexp of row {i} {[int(x) for x in row.tolist()]}": round(float(v), 4)
            for i, (row, v) in enumerate(zip(logits, torch.logsumexp(logits, dim=1)))}


def mistakes(logits, target, z_loss_coef=1e-4):
    right = loss(logits, target, z_loss_coef)["value"]
    log_z = torch.logsumexp(logits, dim=1)

    def with_z(z):
        return {"ce": right["ce"], "z_loss": z, "total": right["ce"] + z, "z_loss_over_coef": z / z_loss_coef}

    return {
        "log Z not squared: the penalty is coef·(log Z)²": with_z(z_loss_coef * log_z.mean()),
        "Z instead of log Z": with_z(z_loss_coef * (log_z.exp() ** 2).mean()),
        "that is the sum over tokens; the z-loss is averaged like the CE": with_z(z_loss_coef * (log_z**2).sum()),
        "forgot the coefficient 1e-4": with_z((log_z**2).mean()),
    }


def plot():
    shift = torch.linspace(-6.0, 6.0, 121)
    base = torch.tensor([1.0, 0.0, -1.0])
    ce = [float(F.cross_entropy((base + s)[None], torch.tensor([0]))) for s in shift]
    z = [float(torch.logsumexp(base + s, 0) ** 2) for s in shift]
    return {
        "title": "Shifting every logit by c: CE is flat, log^2 Z is not",
        "x_label": "common shift c added to the logits [1, 0, -1]",
        "y_label": "value",
        "series": [
            {"name": "CE (target 0)", "x": shift.tolist(), "y": ce},
            {"name": "log^2 Z (times 1e-4 in the loss)", "x": shift.tolist(), "y": z},
        ],
        "note": "The z-loss is the only term that sees the shift; it pulls log Z to 0.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
