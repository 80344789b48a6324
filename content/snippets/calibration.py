"""Expected calibration error (ECE) and the Brier score, from scratch.

Inputs: predicted class probabilities p (N x C, rows sum to 1) and the true classes `target`.
conf_i = max_c p_ic, correct_i = [argmax_c p_ic == y_i].
ECE (Guo et al. 2017; Naeini et al. 2015): split (0, 1] into M equal-width bins by confidence,
    ECE = sum_m (|B_m| / N) |acc(B_m) - conf(B_m)|      (here M = `n_bins`; Guo et al. use 15)
Brier score (Brier 1950, multi-class form): mean_i sum_c (p_ic - onehot_ic)^2, in [0, 2]; for two
classes it is twice sklearn's binary brier_score_loss (which scores only the positive class).
Brier and NLL are strictly proper scoring rules; ECE is not a scoring rule at all (always
predicting the base rate gets ECE 0) and depends on the binning.
Reference: ECE as sum over bins of |sum_{i in B}(correct_i - conf_i)| / N with bins assigned by
torch.bucketize (a different grouping of the same quantity); Brier via F.mse_loss(reduction='sum').
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "ECE: |per-bin sum of (correct - conf)| / N via torch.bucketize; Brier: F.mse_loss(p, onehot, 'sum') / N"


def example():
    return {
        "p": torch.tensor([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.4, 0.6], [0.55, 0.45]]),
        "target": torch.tensor([0, 1, 1, 1, 1]),
        "n_bins": 5,
    }


def problem(rng: random.Random):
    rows = []
    for _ in range(4):
        c = rng.choice([0.6, 0.7, 0.8, 0.9, 1.0])
        rows.append([c, round(1 - c, 1)] if rng.random() < 0.5 else [round(1 - c, 1), c])
    return {"p": torch.tensor(rows), "target": torch.tensor([rng.randrange(2) for _ in range(4)]), "n_bins": 5}


def loss(p, target, n_bins=5):
    conf, pred = p.max(dim=1)
    correct = (pred == target).float()
    n = len(target)
    # bin m covers (m/M, (m+1)/M]; the 1e-4 keeps float32 0.6 * 5 in bin 2, not 3
    bin_index = (torch.ceil(conf * n_bins - 1e-4) - 1).clamp(0, n_bins - 1).long()
    ece = torch.tensor(0.0)
    for m in range(n_bins):
        in_bin = bin_index == m
        if in_bin.any():
            ece = ece + in_bin.float().mean() * (correct[in_bin].mean() - conf[in_bin].mean()).abs()
    onehot = F.one_hot(target, p.shape[1]).float()
    brier = ((p - onehot) ** 2).sum(dim=1).mean()
    return {
        "confidence": conf,
        "correct": correct,
        "bin": bin_index.float(),
        "accuracy": correct.mean(),
        "mean_confidence": conf.mean(),
        "nll": -torch.log(p.gather(1, target[:, None]).clamp_min(1e-12)).mean(),
        "value": {"ece": ece, "brier": brier},
    }


def reference(p, target, n_bins=5):
    conf, pred = p.max(dim=1)
    correct = (pred == target).double()
    edges = torch.linspace(0, 1, n_bins + 1, dtype=torch.float64)[1:-1]
    bins = torch.bucketize(conf.double() - 1e-4, edges)  # right-closed bins (m/M, (m+1)/M]
    gap = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, correct - conf.double())
    ece = gap.abs().sum() / len(target)
    onehot = F.one_hot(target, p.shape[1]).float()
    brier = F.mse_loss(p, onehot, reduction="sum") / len(target)
    return {"ece": ece.float(), "brier": brier}


def _binned_ece(conf, correct, n_bins):
    idx = (torch.ceil(conf * n_bins - 1e-4) - 1).clamp(0, n_bins - 1).long()
    total = torch.tensor(0.0)
    for m in range(n_bins):
        if (idx == m).any():
            total = total + (idx == m).float().mean() * (correct[idx == m].mean() - conf[idx == m].mean()).abs()
    return total


def mistakes(p, target, n_bins=5):
    right = loss(p, target, n_bins)["value"]
    conf, pred = p.max(dim=1)
    correct = (pred == target).float()
    onehot = F.one_hot(target, p.shape[1]).float()
    return {
        "Brier of the positive class only (sklearn's binary brier_score_loss); the card sums over classes": {
            "ece": right["ece"], "brier": ((p[:, 1] - onehot[:, 1]) ** 2).mean()},
    }


def plot():
    """Reliability diagram of the fixed example: accuracy vs confidence per bin."""
    ex = example()
    conf, pred = ex["p"].max(dim=1)
    correct = (pred == ex["target"]).float()
    m = ex["n_bins"]
    idx = (torch.ceil(conf * m - 1e-4) - 1).clamp(0, m - 1).long()
    xs, ys = [], []
    for b in range(m):
        if (idx == b).any():
            xs.append(conf[idx == b].mean().item())
            ys.append(correct[idx == b].mean().item())
    return {
        "title": "Reliability diagram (fixed example)",
        "x_label": "mean confidence in the bin",
        "y_label": "accuracy in the bin",
        "series": [{"name": "perfect calibration", "x": [0.0, 1.0], "y": [0.0, 1.0]}, {"name": "model", "x": xs, "y": ys}],
        "note": "ECE is the gap between the curve and the diagonal, weighted by how many samples each bin holds.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
