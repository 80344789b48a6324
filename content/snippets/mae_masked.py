"""MAE's reconstruction loss (He et al., 2022), from scratch, against
torch.nn.functional.mse_loss on the masked patches selected by boolean indexing.

An image is cut into L patches (P pixel values each); 75% of them are masked (mask = 1: removed,
hidden from the encoder). The decoder predicts every patch's pixels, but the loss is the MSE on
the MASKED patches only:
    per_patch_l = mean_p (pred_lp - target_lp)^2,     L = sum_l mask_l per_patch_l / sum_l mask_l
With norm_pix_loss (the paper's better-performing variant), each target patch is normalised by
its own mean and (unbiased) variance first: (x - mean) / sqrt(var + 1e-6) (official code).
Loss on visible patches would reward copying the input through; MAE's ablation found the masked-
only loss better.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.mse_loss(pred[mask], normalised target[mask]) with torch.var_mean per patch"


def example():
    return {"pred": torch.tensor([[0.5, -0.5, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0], [0.0, 0.0, 1.0, -1.0]]),
            "target": torch.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 0.0, 0.0], [1.0, 1.0, 3.0, 3.0]]),
            "mask": torch.tensor([1.0, 1.0, 0.0]),
            "norm_pix_loss": True}


def problem(rng: random.Random):
    n = 4
    while True:  # no constant patch: its normalised target would be 0/0
        target = torch.tensor([[rng.randint(0, 8) / 2 for _ in range(4)] for _ in range(n)])
        if bool((target.var(dim=1) > 0.1).all()):
            break
    mask = [1.0, 1.0, 1.0, 0.0]  # 75% masked, as in MAE
    rng.shuffle(mask)
    return {"pred": torch.tensor([[rng.randint(-4, 4) / 2 for _ in range(4)] for _ in range(n)]),
            "target": target, "mask": torch.tensor(mask), "norm_pix_loss": rng.random() < 0.7}


def _normalise(target):
    mean = target.mean(dim=-1, keepdim=True)
    var = ((target - mean) ** 2).sum(dim=-1, keepdim=True) / (target.shape[-1] - 1)  # unbiased
    return (target - mean) / (var + 1e-6) ** 0.5


def loss(pred, target, mask, norm_pix_loss=True):
    tgt = _normalise(target) if norm_pix_loss else target
    per_patch = ((pred - tgt) ** 2).mean(dim=-1)
    return {
        "target_used": tgt,
        "per_patch_mse": per_patch,
        "masked_fraction": mask.mean(),
        "loss_on_all_patches": per_patch.mean(),
        "value": (per_patch * mask).sum() / mask.sum(),
    }


def reference(pred, target, mask, norm_pix_loss=True):
    if norm_pix_loss:
        var, mean = torch.var_mean(target, dim=-1, keepdim=True)
        target = (target - mean) / torch.sqrt(var + 1e-6)
    keep = mask.bool()
    return F.mse_loss(pred[keep], target[keep])


def mistakes(pred, target, mask, norm_pix_loss=True):
    tgt = _normalise(target) if norm_pix_loss else target
    per_patch = ((pred - tgt) ** 2).mean(dim=-1)
    raw = ((pred - target) ** 2).mean(dim=-1)
    out = {
        "that averages over all patches; MAE's loss is on the masked patches only": per_patch.mean(),
        "that is the loss on the visible patches; MAE scores the masked ones": (
            (per_patch * (1 - mask)).sum() / (1 - mask).sum()),
    }
    if norm_pix_loss:
        out["the target patches were not normalised (norm_pix_loss)"] = (raw * mask).sum() / mask.sum()
    return out


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
