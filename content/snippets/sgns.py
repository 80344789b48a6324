"""Skip-gram negative sampling (word2vec SGNS, Mikolov et al., 2013), from scratch, against
torch.nn.functional.binary_cross_entropy_with_logits.

For a (center, context) pair with center vector u, context vector v and K sampled negative
context vectors v_1..v_K (drawn from the unigram distribution raised to the 3/4):
    L = -log sigma(u.v) - sum_k log sigma(-u.v_k)
i.e. K + 1 independent logistic regressions: "is this a real context word?" -- the positive with
label 1, the negatives with label 0 (note sigma(-x) = 1 - sigma(x)). Unlike softmax/InfoNCE there
is no normalisation over candidates: the terms decouple. NCE is the same binary view, but with
the logit corrected by log(K q(w)) so that it estimates the normalised model; SGNS drops that
correction (it is NCE only when K q(w) = 1), which is fine for embeddings, not for a language
model's probabilities.
"""

import random

import torch
import torch.nn.functional as F

REFERENCE = "F.binary_cross_entropy_with_logits([u.v, u.v_k], [1, 0, ...], reduction='sum')"


def example():
    return {"center": torch.tensor([1.0, 0.5]), "context": torch.tensor([1.0, 1.0]),
            "negatives": torch.tensor([[0.5, -1.0], [-1.0, 0.0]])}


def problem(rng: random.Random):
    def vec():
        return [rng.randint(-2, 2) / 2 for _ in range(2)]
    return {"center": torch.tensor(vec()), "context": torch.tensor(vec()),
            "negatives": torch.tensor([vec() for _ in range(2)])}


def loss(center, context, negatives):
    pos_logit = (center * context).sum()
    neg_logits = negatives @ center
    pos_term = -F.logsigmoid(pos_logit)
    neg_terms = -F.logsigmoid(-neg_logits)
    return {
        "positive_logit": pos_logit,
        "negative_logits": neg_logits,
        "positive_term": pos_term,
        "negative_terms": neg_terms,
        "value": pos_term + neg_terms.sum(),
    }


def reference(center, context, negatives):
    logits = torch.cat([(center * context).sum()[None], negatives @ center])
    labels = torch.zeros_like(logits)
    labels[0] = 1.0
    return F.binary_cross_entropy_with_logits(logits, labels, reduction="sum")


def given(center, context, negatives):
    logits = [float((center * context).sum()) + 0.0] + [0.0 - float(x) for x in (negatives @ center)]  # never -0
    return {f"ln σ({x:g})": round(float(F.logsigmoid(torch.tensor(x))), 4) for x in sorted(set(logits))}


def mistakes(center, context, negatives):
    pos = (center * context).sum()
    neg = negatives @ center
    return {
        "the negatives need log σ(−u·v_k): their label is 0": -F.logsigmoid(pos) - F.logsigmoid(neg).sum(),
        "that is the mean over the K + 1 terms; SGNS sums them": (
            -F.logsigmoid(pos) - F.logsigmoid(-neg).sum()) / (1 + len(neg)),
        "that is a softmax over [positive, negatives] (InfoNCE); SGNS is K + 1 independent sigmoids":
            torch.logsumexp(torch.cat([pos[None], neg]), 0) - pos,
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
