"""Next-token cross-entropy with prompt masking, from scratch, against F.cross_entropy(ignore_index=-100).

Causal LM training: the logits at position t predict token t+1, so logits[:, :-1] are scored
against labels[:, 1:] (Hugging Face models do this shift inside the forward pass). Here the rows
are already shifted: row i of `logits` (N x V) predicts `target[i]`. SFT copies the input ids into
the labels and overwrites the prompt (and padding) positions with -100, PyTorch's default
ignore_index, so only response tokens are scored:
  NLL_i = logsumexp(z_i) - z_i[target_i]   for target_i != -100        (natural log)
  L     = sum_i mask_i NLL_i / sum_i mask_i          (reduction='mean' divides by the kept tokens)
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy(logits, target, ignore_index=-100)"
IGNORE = -100


def example():
    # Rows 0-1 predict prompt tokens (masked); rows 2-4 predict the response.
    return {
        "logits": torch.tensor([[2.0, 0.0, 1.0], [0.0, 3.0, 0.0], [1.0, 2.0, 0.0],
                                [0.0, 0.0, 2.0], [3.0, 1.0, 1.0]]),
        "target": torch.tensor([IGNORE, IGNORE, 1, 0, 0]),
    }


def problem(rng: random.Random):
    n, v = 4, 3
    n_prompt = rng.randint(1, 2)
    logits = [[float(rng.randint(0, 3)) for _ in range(v)] for _ in range(n)]
    target = [IGNORE] * n_prompt + [rng.randrange(v) for _ in range(n - n_prompt)]
    return {"logits": torch.tensor(logits), "target": torch.tensor(target)}


def _lse(logits):
    row_max = logits.max(dim=1, keepdim=True).values
    return row_max.squeeze(1) + (logits - row_max).exp().sum(dim=1).log()


def _nll_and_mask(logits, target):
    mask = (target != IGNORE).float()
    safe = torch.where(target == IGNORE, torch.zeros_like(target), target)  # any valid index
    nll = (_lse(logits) - logits.gather(1, safe[:, None]).squeeze(1)) * mask
    return nll, mask


def loss(logits, target):
    nll, mask = _nll_and_mask(logits, target)
    return {
        "log_sum_exp": _lse(logits),
        "mask": mask,
        "token_nll": nll,
        "kept_tokens": mask.sum(),
        "value": nll.sum() / mask.sum(),
    }


def reference(logits, target):
    return F.cross_entropy(logits, target, ignore_index=IGNORE)


def given(logits, target):
    return {f"logsumexp of row {i} {[int(x) for x in row.tolist()]}": round(float(v), 4)
            for i, (row, v) in enumerate(zip(logits, torch.logsumexp(logits, dim=1)))}


def mistakes(logits, target):
    nll, mask = _nll_and_mask(logits, target)
    return {
        "divided by all positions: the masked (prompt) tokens must leave the denominator too": nll.sum() / nll.numel(),
        "that is the sum over tokens; reduction='mean' divides by the kept tokens": nll.sum(),
        "log-softmax sign: the NLL is logsumexp(z) − z_target, positive": -nll.sum() / mask.sum(),
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
    print("given:", given(**inputs))
