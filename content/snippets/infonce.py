"""InfoNCE for one query, from scratch, against torch.nn.functional.cross_entropy (label 0).

L = -log( exp(s(q, k_+)/T) / sum_{i=0}^{K} exp(s(q, k_i)/T) ),  s = cosine similarity,
k_+ = keys[target] the positive, the other K keys the negatives (van den Oord et al., 2018, CPC;
MoCo, He et al., 2020, Eq. 1, puts the positive first: target = 0). The positive IS in the denominator: an N-way (= (K+1)-way) softmax
classification whose correct class is index 0, exactly what MoCo's pseudocode does with
CrossEntropyLoss over [l_pos, l_neg] logits and labels = 0. The gradient w.r.t. the logits is
softmax - onehot: each negative is pushed in proportion to its probability (hard negatives most).
"""

import math
import random

import torch
import torch.nn.functional as F

REFERENCE = "torch.nn.functional.cross_entropy over the keys' cosine logits, label = target"

# Unit vectors with one-decimal coordinates: cosine similarity = dot product, workable by hand.
_UNIT = [(1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0)] + [
    (sx * a, sy * b) for a, b in [(0.6, 0.8), (0.8, 0.6)] for sx in (1, -1) for sy in (1, -1)]


def example():
    return {
        "query": torch.tensor([0.6, 0.8]),
        "keys": torch.tensor([[0.8, 0.6], [1.0, 0.0], [-0.6, 0.8]]),
        "temperature": 0.5,
        "target": 0,
    }


def problem(rng: random.Random):
    picks = rng.sample(_UNIT, 4)
    return {
        "query": torch.tensor(picks[0]),
        "keys": torch.tensor(picks[1:]),
        "temperature": rng.choice([0.5, 0.25]),  # never 1: "forgot the temperature" must be told apart
        "target": rng.choice([0, 0, 1, 2]),
    }


def loss(query, keys, temperature=0.07, target=0):  # MoCo default T = 0.07
    q = query / query.norm()
    k = keys / keys.norm(dim=1, keepdim=True)
    similarity = k @ q  # cosine similarity with each key
    logits = similarity / temperature
    log_z = torch.logsumexp(logits, dim=0)  # the denominator includes the positive
    probs = torch.exp(logits - log_z)
    onehot = torch.zeros_like(logits)
    onehot[target] = 1.0
    return {
        "similarity": similarity,
        "logits": logits,
        "softmax": probs,
        "n_way": torch.tensor(float(keys.shape[0])),
        "grad_logits": probs - onehot,
        "value": log_z - logits[target],
    }


def given(query, keys, temperature=0.07, target=0):
    """The exponentials and the one logarithm a hand solver needs."""
    logits = (keys @ query) / temperature
    out = {f"e^{v:g}": round(math.exp(v), 4) for v in sorted(set(round(x, 4) for x in logits.tolist())) if v != 0}
    total = sum(math.exp(v) for v in logits.tolist())
    out[f"ln {total:.4f}"] = round(math.log(total), 4)
    return out


def mistakes(query, keys, temperature=0.07, target=0):
    logits = (keys @ query) / temperature
    sim = keys @ query
    t = target
    negatives = torch.cat([logits[:t], logits[t + 1:]])
    return {
        "the positive is missing from the denominator: InfoNCE is (K+1)-way, the positive is in it": (
            torch.logsumexp(negatives, 0) - logits[t]),
        "the temperature is missing: the logits are similarity / τ": torch.logsumexp(sim, 0) - sim[t],
        "the temperature was applied twice (similarity / τ²)": (
            torch.logsumexp(sim / temperature**2, 0) - sim[t] / temperature**2),
        "log base 2; the card asks for the natural log": (torch.logsumexp(logits, 0) - logits[t]) / math.log(2),
    }


def reference(query, keys, temperature=0.07, target=0):
    logits = F.cosine_similarity(query.unsqueeze(0), keys, dim=1) / temperature
    return F.cross_entropy(logits.unsqueeze(0), torch.tensor([target]))


if __name__ == "__main__":
    inputs = example()
    for name, value in loss(**inputs).items():
        print(f"{name}: {value}")
    print(f"reference ({REFERENCE}): {reference(**inputs)}")
