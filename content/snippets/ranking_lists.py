"""Listwise ranking losses and LambdaRank's lambdas for one query, from scratch.

scores s (model), relevance labels r (graded, higher = better), n documents.
- ListNet (Cao et al., 2007), top-1 version: cross-entropy between the label distribution
  softmax(r) and the model's softmax(s):  L = -sum_k softmax(r)_k log softmax(s)_k.
- ListMLE (Xia et al., 2008): negative log-likelihood of the ideal permutation pi (sorted by
  relevance) under Plackett-Luce:  L = -sum_i [ s_pi(i) - log sum_{k >= i} exp s_pi(k) ]  (a step).
- LambdaRank (Burges et al., 2006): no explicit loss; the gradient for each pair i > j (r_i > r_j)
  is RankNet's  lambda_ij = sigma(-(s_i - s_j))  times |Delta NDCG_ij|, the change of NDCG if i and j
  swapped positions in the current ranking. Per document: lambda_i = sum_j lambda_ij - sum_j lambda_ji
  (how hard to push it up). NDCG here: gain 2^r - 1, discount 1 / log2(1 + position).
  In the loss |Delta NDCG| = |g_i - g_j| |D_i - D_j| / IDCG (closed form).
Reference: ListNet by F.cross_entropy with a probability target; the lambdas by recomputing NDCG
after actually swapping each pair (brute force).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "ListNet: F.cross_entropy(s, softmax(r)); lambdas: NDCG recomputed after each swap"
TOLERANCE = {"rtol": 1e-4, "atol": 1e-6}


def example():
    return {"scores": torch.tensor([1.0, 2.0, 0.0]), "relevance": torch.tensor([2.0, 0.0, 1.0])}


def problem(rng: random.Random):
    n = 4
    while True:
        rel = [float(rng.randint(0, 3)) for _ in range(n)]
        if len(set(rel)) > 1:
            break
    scores = rng.sample([x / 2 for x in range(-4, 5)], n)  # distinct: no ties in the ranking
    return {"scores": torch.tensor(scores), "relevance": torch.tensor(rel)}


def _positions(scores):
    order = torch.argsort(scores, descending=True, stable=True)
    pos = torch.empty_like(order)
    pos[order] = torch.arange(1, len(scores) + 1)
    return pos  # 1-based position of each document in the current ranking


def loss(scores, relevance):
    n = len(scores)
    log_p_s = scores - torch.logsumexp(scores, dim=0)
    p_r = torch.exp(relevance - torch.logsumexp(relevance, dim=0))
    listnet = -(p_r * log_p_s).sum()
    ideal = torch.argsort(relevance, descending=True, stable=True)
    s_ideal = scores[ideal]
    listmle = -sum(s_ideal[i] - torch.logsumexp(s_ideal[i:], dim=0) for i in range(n))
    gain = 2**relevance - 1
    discount = 1 / torch.log2(1 + _positions(scores).double())
    idcg = float((torch.sort(gain, descending=True).values.double()
                  / torch.log2(torch.arange(2, n + 2, dtype=torch.float64))).sum())
    lambdas = torch.zeros(n, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            if relevance[i] > relevance[j]:
                delta = abs(float(gain[i] - gain[j])) * abs(float(discount[i] - discount[j])) / idcg
                lam = delta * float(torch.sigmoid(-(scores[i] - scores[j])))
                lambdas[i] += lam
                lambdas[j] -= lam
    return {
        "softmax_relevance": p_r,
        "log_softmax_scores": log_p_s,
        "listmle": listmle,
        "positions_by_score": _positions(scores).float(),
        "value": {"listnet": listnet, "lambdas": lambdas},
    }


def _ndcg(scores, relevance):
    order = torch.argsort(scores, descending=True, stable=True)
    gains = (2 ** relevance[order] - 1).double()
    disc = 1 / torch.log2(torch.arange(2, len(scores) + 2, dtype=torch.float64))
    ideal = (torch.sort(2**relevance - 1, descending=True).values.double() * disc).sum()
    return float((gains * disc).sum() / ideal)


def reference(scores, relevance):
    n = len(scores)
    listnet = F.cross_entropy(scores[None], F.softmax(relevance, dim=0)[None])
    base = _ndcg(scores, relevance)
    lambdas = torch.zeros(n, dtype=torch.float64)
    for i in range(n):
        for j in range(n):
            if relevance[i] > relevance[j]:
                swapped = scores.clone()
                swapped[i], swapped[j] = scores[j], scores[i]  # i and j trade positions
                delta = abs(_ndcg(swapped, relevance) - base)
                lam = delta / (1 + math.exp(float(scores[i] - scores[j])))
                lambdas[i] += lam
                lambdas[j] -= lam
    return {"listnet": listnet, "lambdas": lambdas}


def mistakes(scores, relevance):
    right = loss(scores, relevance)["value"]
    return {
        "the arguments are swapped: ListNet's target is softmax(relevance), the model softmax(scores)": {
            **right, "listnet": -(F.softmax(scores, 0) * F.log_softmax(relevance, 0)).sum()},
        "the relevance labels were used as probabilities without the softmax": {
            **right, "listnet": -(relevance * F.log_softmax(scores, 0)).sum()},
    }


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
