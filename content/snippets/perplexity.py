"""Perplexity = exp(mean per-token NLL), from scratch, against exp(F.cross_entropy).

Given the probabilities p_i a language model assigned to the actual next tokens:
NLL_i = -ln p_i;  PPL = exp((1/N) sum_i NLL_i) = (prod_i 1/p_i)^(1/N), the geometric mean of 1/p.
A uniform model over V tokens has PPL = V. Natural log throughout; bits per token = mean NLL / ln 2.
Average over real tokens only (padding excluded); PPL depends on the tokenizer.
The reference builds two-way logits [ln p, ln(1 - p)] so that F.cross_entropy with target 0
returns -ln p per token.
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "exp(F.cross_entropy(two-way logits [ln p, ln(1-p)], target 0))"


def example():
    return {"p": torch.tensor([0.5, 0.25, 0.125, 0.5])}


def problem(rng: random.Random):
    n = rng.choice([3, 4])
    return {"p": torch.tensor([rng.choice([0.1, 0.2, 0.25, 0.4, 0.5, 0.8]) for _ in range(n)])}


def loss(p):
    nll = -p.log()
    mean_nll = nll.mean()
    return {
        "nll_per_token": nll,
        "mean_nll": mean_nll,
        "bits_per_token": mean_nll / math.log(2),
        "geometric_mean_of_1/p": (1 / p).prod() ** (1 / p.numel()),
        "value": mean_nll.exp(),
    }


def reference(p):
    logits = torch.stack([p.log(), (1 - p).log()], dim=1)
    return torch.exp(F.cross_entropy(logits, torch.zeros(p.numel(), dtype=torch.long)))


def mistakes(p):
    nll = -p.log()
    return {
        "that is exp of the SUM of the token NLLs; perplexity uses the mean": nll.sum().exp(),
        "that is the arithmetic mean of 1/p; perplexity is the geometric mean": (1 / p).mean(),
        "that is the mean NLL (the log of the perplexity), not the perplexity": nll.mean(),
    }

if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
