"""Token-level loss under gradient accumulation, from scratch, against the full-batch computation.

A batch of B sequences with per-token NLLs `nll` (B x T) and a 0/1 `mask` of real (response)
tokens is split into micro-batches of `micro_batch` sequences; the gradients of the micro-batches
are summed before one optimiser step. The full batch's token-level loss is
  L = sum_{b,t} mask nll / sum_{b,t} mask          (every token weighs the same)
Accumulation reproduces it only if each micro-batch's token sum is divided by the *global* token
count N (or by its own count times its share). The classic bug - each micro-batch takes its own
token mean and the trainer divides by the number of accumulation steps - gives the mean of
per-micro-batch means, which up-weights tokens in micro-batches with few tokens (Hugging Face
transformers fixed its Trainer in v4.46, Oct 2024, by passing num_items_in_batch).
Also shown: the sequence-level mean (mean over sequences of each sequence's token mean), which
weighs every *sequence* the same, and DAPO's / Dr. GRPO's aggregations.
"""

import random

import torch

REFERENCE = "full batch: nll[mask.bool()].mean() in one pass"


def example():
    return {
        "nll": torch.tensor([[1.0, 2.0, 3.0, 2.0], [2.0, 3.0, 1.0, 0.0],
                             [6.0, 0.0, 0.0, 0.0], [2.0, 2.0, 0.0, 0.0]]),
        "mask": torch.tensor([[1.0, 1.0, 1.0, 1.0], [1.0, 1.0, 1.0, 0.0],
                              [1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]]),
        "micro_batch": 2,
    }


def problem(rng: random.Random):
    b, t = 4, 4
    while True:
        lengths = [rng.randint(1, t) for _ in range(b)]
        mask = [[1.0 if j < n else 0.0 for j in range(t)] for n in lengths]
        nll = [[rng.randint(1, 8) / 2 if j < n else 0.0 for j in range(t)] for n in lengths]
        x = {"nll": torch.tensor(nll), "mask": torch.tensor(mask), "micro_batch": 2}
        out = loss(**x)
        if abs(float(out["value"] - out["mean_of_micro_batch_means"])) > 0.05:  # the bug shows
            return x


def loss(nll, mask, micro_batch=2):
    n_tokens = mask.sum()
    accumulated = torch.zeros(())
    micro_means = []
    for start in range(0, nll.shape[0], micro_batch):
        part_nll, part_mask = nll[start:start + micro_batch], mask[start:start + micro_batch]
        token_sum = (part_nll * part_mask).sum()
        accumulated = accumulated + token_sum / n_tokens  # right: divide by the GLOBAL token count
        micro_means.append(token_sum / part_mask.sum())
    micro_means = torch.stack(micro_means)
    per_sequence = (nll * mask).sum(dim=1) / mask.sum(dim=1)
    return {
        "tokens_per_micro_batch": mask.reshape(-1, micro_batch * mask.shape[1]).sum(dim=1),
        "micro_batch_means": micro_means,
        "mean_of_micro_batch_means": micro_means.mean(),
        "sequence_level_mean": per_sequence.mean(),
        "dr_grpo_constant_norm": (nll * mask).sum() / mask.numel(),
        "value": accumulated,
    }


def reference(nll, mask, micro_batch=2):
    return nll[mask.bool()].mean()


def mistakes(nll, mask, micro_batch=2):
    out = loss(nll, mask, micro_batch)
    return {
        "that is the mean of per-micro-batch means — the gradient-accumulation bug": out["mean_of_micro_batch_means"],
        "that is the sequence-level mean (each sequence weighs the same), not the token-level mean": out["sequence_level_mean"],
        "divided by all positions, padding included": (nll * mask).sum() / mask.numel(),
    }


def plot():
    # Two micro-batches: one with 1 token of loss 4, one with n tokens of loss 1.
    ns = list(range(1, 21))
    right = [(4 + n) / (1 + n) for n in ns]
    buggy = [(4 + 1) / 2 for _ in ns]
    return {
        "title": "Accumulating micro-batch means vs the global token mean",
        "x_label": "tokens in the second micro-batch (loss 1 each); first has 1 token of loss 4",
        "y_label": "loss the accumulated gradient corresponds to",
        "series": [
            {"name": "global token mean (right)", "x": ns, "y": right},
            {"name": "mean of micro-batch means (bug)", "x": ns, "y": buggy},
        ],
        "note": "The buggy average ignores how many tokens each micro-batch holds: the lone token "
        "keeps half the weight however many tokens the other micro-batch has.",
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
