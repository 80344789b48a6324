"""CTC loss (Graves et al. 2006), from scratch by brute force over all alignments, against
torch.nn.functional.ctc_loss.

Per frame t the model outputs log-probs over C symbols, index 0 = blank. A path pi of length T
collapses to a label sequence B(pi) by (1) merging repeated symbols, then (2) removing blanks:
"a a _ b" -> "a b", "a _ a" -> "a a" (a blank is needed between repeated labels).
p(y|x) = sum over paths with B(pi) = y of prod_t p_t(pi_t);  loss = -log p(y|x).
Brute force enumerates all C^T paths (fine for T = 4, C = 3); real implementations use the
forward-backward DP over the blank-extended label (2L + 1 states), O(T L).
PyTorch's default reduction='mean' divides each sequence's loss by its target length, then
averages over the batch; the reference uses reduction='sum' on a batch of one.
"""

import itertools
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.ctc_loss(reduction='sum', blank=0)"
SYMBOLS = "_ab"  # index 0 is the blank


def example():
    logits = torch.tensor([[0.0, 2.0, 0.0], [1.0, 1.0, 0.0], [0.0, 1.5, 0.5], [0.5, 1.0, 0.0]])
    return {"log_probs": torch.log_softmax(logits, dim=1), "target": torch.tensor([1, 1])}


def problem(rng: random.Random):
    logits = torch.tensor([[rng.randint(-10, 10) / 10 for _ in range(3)] for _ in range(4)])
    length = rng.choice([1, 2])
    return {
        "log_probs": torch.log_softmax(logits, dim=1),
        "target": torch.tensor([rng.choice([1, 2]) for _ in range(length)]),
    }


def collapse(path):
    merged = [s for i, s in enumerate(path) if i == 0 or s != path[i - 1]]
    return [s for s in merged if s != 0]


def loss(log_probs, target):
    t_len, c = log_probs.shape
    labels = target.tolist()
    valid, path_logps = [], []
    for path in itertools.product(range(c), repeat=t_len):
        if collapse(list(path)) == labels:
            valid.append("".join(SYMBOLS[s] for s in path))
            path_logps.append(sum(log_probs[t, s] for t, s in enumerate(path)))
    log_p = torch.logsumexp(torch.stack(path_logps), dim=0)
    return {
        "target_string": "".join(SYMBOLS[s] for s in labels),
        "paths_total": c**t_len,
        "valid_alignments": valid,
        "path_probs": torch.stack(path_logps).exp(),
        "p_y_given_x": log_p.exp(),
        "torch_default_mean_reduction": -log_p / len(labels),  # divided by target length
        "value": -log_p,
    }


def reference(log_probs, target):
    t_len = log_probs.shape[0]
    return F.ctc_loss(
        log_probs.unsqueeze(1),  # (T, N=1, C)
        target.unsqueeze(0),  # (N=1, S)
        input_lengths=torch.tensor([t_len]),
        target_lengths=torch.tensor([len(target)]),
        blank=0,
        reduction="sum",
    )


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
