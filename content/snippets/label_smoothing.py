"""Label-smoothed cross-entropy, from scratch, against F.cross_entropy(label_smoothing=eps).

y_LS = (1 - eps) onehot(y) + eps / K   (Szegedy et al. 2016; PyTorch and Composer convention)
CE(y_LS, q) = (1 - eps) CE(onehot, q) + eps CE(uniform, q), mean over the batch.
For K = 2, [0.1, 0.9] needs eps = 0.2 (eps = 0.1 gives [0.05, 0.95]).
The CE-optimal logit gap z_y - z_j (j != y) is finite: log((1 - eps + eps/K) / (eps/K)).
The reference finds that gap independently, by a golden-section search over the gap g of the
built-in loss on logits [g, 0, ..., 0] (float64).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "F.cross_entropy(label_smoothing=eps); golden-section search for the optimal gap"


def example():
    return {"logits": torch.tensor([[0.0, 2.0]]), "target": torch.tensor([1]), "epsilon": 0.2}


def problem(rng: random.Random):
    k = rng.choice([2, 3, 4, 5])
    z = [float(rng.randint(-2, 2)) for _ in range(k)]
    while len(set(z)) == 1:  # equal logits give log K whatever epsilon is
        z = [float(rng.randint(-2, 2)) for _ in range(k)]
    return {
        "logits": torch.tensor([z]),
        "target": torch.tensor([rng.randrange(k)]),
        "epsilon": rng.choice([0.05, 0.1, 0.2, 0.3]),
    }


def loss(logits, target, epsilon=0.1):
    k = logits.shape[1]
    y_ls = (1 - epsilon) * F.one_hot(target, k).float() + epsilon / k
    log_q = logits - logits.logsumexp(dim=1, keepdim=True)
    ce_hard = -log_q.gather(1, target[:, None]).squeeze(1)
    ce_uniform = -log_q.mean(dim=1)  # CE against the uniform distribution: a confidence penalty
    per_sample = -(y_ls * log_q).sum(dim=1)
    smoothed = per_sample.mean()
    gap = math.log((1 - epsilon + epsilon / k) / (epsilon / k))
    return {
        "y_ls": y_ls,
        "log_q": log_q,
        "ce_hard": ce_hard,
        "ce_uniform": ce_uniform,
        "per_sample": per_sample,
        "(1-eps)*ce_hard+eps*ce_uniform": ((1 - epsilon) * ce_hard + epsilon * ce_uniform).mean(),
        "floor_H(y_ls)": -(y_ls * y_ls.log()).sum(dim=1).mean(),  # min over q: CE never reaches 0
        "loss": smoothed,
        "optimal_gap": torch.tensor(gap),
        "value": {"loss": smoothed, "optimal_gap": torch.tensor(gap)},
    }


def _smoothed_ce_at_gap(g, k, epsilon):
    z = torch.zeros(1, k, dtype=torch.float64)
    z[0, 0] = g
    return F.cross_entropy(z, torch.tensor([0]), label_smoothing=epsilon).item()


def reference(logits, target, epsilon=0.1):
    k = logits.shape[1]
    lo, hi = 0.0, 50.0
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(120):  # the loss is convex in g: golden-section search shrinks [lo, hi]
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if _smoothed_ce_at_gap(a, k, epsilon) < _smoothed_ce_at_gap(b, k, epsilon):
            hi = b
        else:
            lo = a
    return {
        "loss": F.cross_entropy(logits, target, label_smoothing=epsilon),
        "optimal_gap": torch.tensor((lo + hi) / 2),
    }


def given(logits, target, epsilon=0.1):
    """e^(z_j - max) for the non-max logits, ln of their sum, and ln of the candidate gap ratios."""
    out = {}
    row = logits.double()[0]
    shifted = row - row.max()
    for v in sorted(set(shifted.tolist())):
        if v != 0:
            out[f"e^{v:g}"] = round(math.exp(v), 5)
    s = shifted.exp().sum().item()
    out[f"ln {s:.5g}"] = round(math.log(s), 5)
    k = logits.shape[1]
    ratios = {(1 - epsilon + epsilon / k) / (epsilon / k), (1 - epsilon) / (epsilon / (k - 1)), (1 - epsilon) / epsilon}
    for r in sorted(ratios):
        out[f"ln {r:.5g}"] = round(math.log(r), 5)
    return out


def mistakes(logits, target, epsilon=0.1):
    k = logits.shape[1]
    log_q = torch.log_softmax(logits, dim=1)
    onehot = F.one_hot(target, k).float()
    y_km1 = (1 - epsilon) * onehot + epsilon / (k - 1) * (1 - onehot)
    right_gap = torch.tensor(math.log((1 - epsilon + epsilon / k) / (epsilon / k)))
    wrong_gap = torch.tensor(math.log((1 - epsilon) / (epsilon / (k - 1))))
    plain = F.cross_entropy(logits, target)
    return {
        "ε/(K−1) on the wrong classes instead of ε/K on every class": {
            "loss": -(y_km1 * log_q).sum(dim=1).mean(),
            "optimal_gap": wrong_gap,
        },
        "no smoothing: that is the plain cross-entropy": {"loss": plain, "optimal_gap": right_gap},
    }

if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
